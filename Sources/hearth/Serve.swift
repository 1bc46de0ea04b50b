import ArgumentParser
import HearthWeb
import Hummingbird
import ServiceLifecycle
import UnixSignals

/// `hearth serve`: applies pending migrations, then serves HTTP and WebSocket.
///
/// On SIGTERM or SIGINT it first closes every chat socket with 1001 (clients reconnect to
/// another instance and catch up), then shuts down gracefully: stops accepting, lets in-flight
/// writes finish, closes its connections, exits.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations and serve.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.resolve()
        let logger = options.logger(for: configuration)
        let drainer = ConnectionDrainer()
        let app = try await buildApplication(configuration, logger: logger, drainer: drainer)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let signals = Task {
            for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
                logger.info("shutting down", metadata: ["signal": "\(signal)"])
                await drainer.closeConnections()
                await group.triggerGracefulShutdown()
                return
            }
        }
        try await group.run()
        signals.cancel()
    }
}
