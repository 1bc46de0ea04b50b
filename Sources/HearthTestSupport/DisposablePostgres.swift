import Foundation
import HearthPostgres

/// A private PostgreSQL server for tests that stop or restart it, so they never disturb the
/// shared test server. Its data lives in a temporary folder removed by ``destroy()``.
public final class DisposablePostgres: DisposableServer {
    /// Settings for its `postgres` database.
    public let configuration: PostgresConfiguration
    private let root: String
    private var dataDirectory: String { root + "/data" }
    private static let bin = ProcessInfo.processInfo.environment["HEARTH_PG_BIN"] ?? "/usr/lib/postgresql/15/bin"

    private init(configuration: PostgresConfiguration, root: String) {
        self.configuration = configuration
        self.root = root
    }

    /// Creates a cluster and starts it on a free loopback port.
    public static func start() async throws -> DisposablePostgres {
        let configuration = PostgresConfiguration(
            host: "127.0.0.1", port: try freeLoopbackPort(), user: "hearth", database: "postgres",
            sslMode: "disable", connectTimeout: 2
        )
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("hearth-pg")).path
        let server = DisposablePostgres(configuration: configuration, root: root)
        try FileManager.default.createDirectory(atPath: server.dataDirectory, withIntermediateDirectories: true)
        if getuid() == 0 { try await run(["chown", "-R", "postgres:postgres", root]) }
        try await run(asPostgresUser([
            "\(bin)/initdb", "-D", server.dataDirectory, "-U", "hearth", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        ]))
        try await server.start()
        return server
    }

    /// Starts the server and waits until it accepts connections.
    public func start() async throws {
        try await run(asPostgresUser([
            "\(Self.bin)/pg_ctl", "-D", dataDirectory, "-l", root + "/log", "-w",
            "-o", "-p \(configuration.port) -k \(dataDirectory) -c listen_addresses=127.0.0.1 -c fsync=off", "start",
        ]))
    }

    /// Stops the server (fast shutdown: open connections are terminated).
    public func stop() async throws {
        try await run(asPostgresUser(["\(Self.bin)/pg_ctl", "-D", dataDirectory, "-m", "fast", "-w", "stop"]))
    }

    /// Stops the server if it runs and deletes its data.
    public func destroy() async {
        _ = try? await run(asPostgresUser(["\(Self.bin)/pg_ctl", "-D", dataDirectory, "-m", "immediate", "-w", "stop"]))
        try? FileManager.default.removeItem(atPath: root)
    }
}
