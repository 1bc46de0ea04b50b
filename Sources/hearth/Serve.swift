import ArgumentParser
import HearthWeb
import Hummingbird

/// `hearth serve`: applies pending migrations, then serves HTTP and WebSocket.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations and serve.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.resolve()
        let app = try await buildApplication(configuration, logger: options.logger(for: configuration))
        try await app.runService()
    }
}
