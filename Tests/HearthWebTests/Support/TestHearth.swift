import Foundation
import HearthPostgres
import HearthTestSupport
import HearthWeb
import Hummingbird
import HummingbirdTesting

/// A live Hearth on a free port with its own database, for HTTP and WebSocket tests.
struct TestHearth: Sendable {
    let port: Int
    let client: any TestClientProtocol
    let postgres: PostgresClient
    /// The configuration the instance runs with.
    var configuration = AppConfiguration()

    /// The repository root, so templates and static files are found wherever tests run.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func with(
        _ configure: @Sendable (inout AppConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestHearth) async throws -> Void
    ) async throws {
        try await TestDatabase.with { database, postgres in
            let configuration = try configuration(for: database, configure)
            let app = try await buildApplication(configuration, logger: TestEnvironment.logger("web"))
            try await app.test(.live) { client in
                try await body(TestHearth(port: client.port!, client: client, postgres: postgres, configuration: configuration))
            }
        }
    }

    /// Two instances sharing one database, one Redis and one channel prefix, as behind nginx.
    static func pair(
        _ configure: @Sendable (inout AppConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestHearth, TestHearth) async throws -> Void
    ) async throws {
        try await TestDatabase.with { database, postgres in
            let configuration = try configuration(for: database, configure)
            let first = try await buildApplication(configuration, logger: TestEnvironment.logger("web-a"))
            let second = try await buildApplication(configuration, logger: TestEnvironment.logger("web-b"))
            try await first.test(.live) { a in
                try await second.test(.live) { b in
                    try await body(
                        TestHearth(port: a.port!, client: a, postgres: postgres, configuration: configuration),
                        TestHearth(port: b.port!, client: b, postgres: postgres, configuration: configuration)
                    )
                }
            }
        }
    }

    private static func configuration(for database: TestDatabase, _ configure: (inout AppConfiguration) -> Void) throws -> AppConfiguration {
        let db = database.configuration
        return try configuration(databaseURL: "postgres://\(db.user):\(db.password ?? "")@\(db.host):\(db.port)/\(db.database)?sslmode=disable", configure)
    }

    /// The test configuration for any database: shared test Redis under a unique prefix, a free
    /// port, cheap bcrypt, short leave grace, this checkout's templates and static files.
    static func configuration(databaseURL: String, _ configure: (inout AppConfiguration) -> Void = { _ in }) throws -> AppConfiguration {
            var configuration = AppConfiguration()
            configuration.databaseURL = databaseURL
            let redis = try TestEnvironment.redis
            configuration.redisURL = "redis://\(redis.host):\(redis.port)/\(redis.database)"
            // Tests share one Redis; each test's instances talk only among themselves.
            configuration.redisPrefix = TestEnvironment.uniqueName("test")
            configuration.port = 0
            configuration.bcryptCost = 4
            configuration.leaveGrace = .milliseconds(300)
            configuration.templatesDirectory = root.appendingPathComponent("templates").path
            configuration.staticDirectory = root.appendingPathComponent("static").path
            configure(&configuration)
            return configuration
    }

    /// Counts rows: `SELECT count(*) ...` helper.
    func count(_ query: PostgresQuery) async throws -> Int {
        try await postgres.query(query).first!.decode(at: 0, as: Int.self)
    }
}
