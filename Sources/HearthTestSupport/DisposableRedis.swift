import Foundation
import HearthRedis

/// A private Redis server for tests that stop or restart it.
public final class DisposableRedis: DisposableServer {
    /// Settings that reach it.
    public let configuration: RedisConfiguration

    private init(configuration: RedisConfiguration) {
        self.configuration = configuration
    }

    /// Starts a server on a free loopback port.
    public static func start() async throws -> DisposableRedis {
        let server = DisposableRedis(configuration: RedisConfiguration(
            host: "127.0.0.1", port: try freeLoopbackPort(), connectTimeout: .seconds(1), commandTimeout: .seconds(1)
        ))
        try await server.start()
        return server
    }

    /// Starts the server (again) on the same port and waits until it answers.
    public func start() async throws {
        try await run([
            "redis-server", "--bind", "127.0.0.1", "--port", "\(configuration.port)", "--daemonize", "yes",
            "--save", "", "--appendonly", "no", "--dir", FileManager.default.temporaryDirectory.path,
            "--logfile", "/dev/null",
        ])
        for _ in 0..<100 {
            if (try? await run(["redis-cli", "-p", "\(configuration.port)", "ping"])) != nil { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError("redis-server on port \(configuration.port) did not start")
    }

    /// Stops the server, dropping every connection.
    public func stop() async throws {
        try await run(["redis-cli", "-p", "\(configuration.port)", "shutdown", "nosave"])
    }

    /// Stops the server if it runs.
    public func destroy() async {
        _ = try? await stop()
    }
}
