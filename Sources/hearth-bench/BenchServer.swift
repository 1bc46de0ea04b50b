import Foundation
import HearthPostgres
import HearthTestSupport
import Logging

/// A `hearth serve` process of the benchmark's own, on a free loopback port, with a fresh
/// database and Redis prefix, stopped and dropped afterwards.
final class BenchServer: @unchecked Sendable {
    struct Settings: Sendable {
        var hearthPath: String
        var adminDatabaseURL: String
        var redisURL: String
        var rootDirectory: String
    }

    let port: Int
    let database: PostgresConfiguration
    let meter: StackMeter
    private let process: Process
    private let admin: PostgresConfiguration
    private let logger: Logger

    private init(port: Int, database: PostgresConfiguration, admin: PostgresConfiguration, process: Process, logger: Logger) {
        self.port = port
        self.database = database
        self.admin = admin
        self.process = process
        self.logger = logger
        meter = StackMeter(hearthPID: process.processIdentifier)
    }

    /// Creates the database and starts Hearth; returns once `/healthz` answers.
    static func start(_ settings: Settings, logger: Logger) async throws -> BenchServer {
        var admin = try PostgresConfiguration(url: settings.adminDatabaseURL)
        admin.sslMode = "disable"
        let name = "hearth_bench_" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        try await withClient(admin, logger: logger) { try await $0.query("CREATE DATABASE \(unsafeRaw: name)") }
        var database = admin
        database.database = name
        let port = try freeLoopbackPort()

        let process = Process()
        process.executableURL = URL(fileURLWithPath: settings.hearthPath)
        process.arguments = ["serve"]
        process.currentDirectoryURL = URL(fileURLWithPath: settings.rootDirectory)
        var environment = ProcessInfo.processInfo.environment
        let overrides = [
            "HOST": "127.0.0.1", "PORT": "\(port)",
            "DATABASE_URL": "postgres://\(admin.user)\(admin.password.map { ":\($0)" } ?? "")@\(admin.host):\(admin.port)/\(name)?sslmode=disable",
            "REDIS_URL": settings.redisURL, "REDIS_PREFIX": name, "LOG_LEVEL": "error",
            // Accounts are set up by the thousand; the benchmark measures chat, not bcrypt.
            "BCRYPT_COST": "4",
            // Senders go far beyond a person's 5 messages a second.
            "SEND_BURST": "100000", "SEND_RATE": "100000",
            "SESSION_TTL": "3600",
            "TEMPLATES_DIR": settings.rootDirectory + "/templates", "STATIC_DIR": settings.rootDirectory + "/static",
        ]
        environment.merge(overrides) { _, new in new }
        process.environment = environment
        try process.run()
        let server = BenchServer(port: port, database: database, admin: admin, process: process, logger: logger)
        for _ in 0..<600 {
            guard process.isRunning else { break }
            if (try? HTTPConnection(port: port).get("/healthz").status) == 200 { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        await server.stop()
        throw BenchError("hearth serve did not become healthy on port \(port)")
    }

    /// Stops Hearth (SIGTERM, then SIGKILL after 10 s) and drops the database.
    func stop() async {
        if process.isRunning { process.terminate() }
        for _ in 0..<100 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let name = database.database
        _ = try? await Self.withClient(admin, logger: logger) { try await $0.query("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)") }
    }

    /// Runs `body` with a client of the benchmark's database (to seed history).
    func withDatabase<T: Sendable>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        try await Self.withClient(database, logger: logger, body)
    }

    private static func withClient<T: Sendable>(
        _ configuration: PostgresConfiguration, logger: Logger, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: configuration, pool: .init(maxConnections: 1), logger: logger)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
