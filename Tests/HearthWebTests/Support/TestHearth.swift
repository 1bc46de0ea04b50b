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

    /// The repository root, so templates and static files are found wherever tests run.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func with(
        _ configure: @Sendable (inout AppConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestHearth) async throws -> Void
    ) async throws {
        try await TestDatabase.with { database, postgres in
            var configuration = AppConfiguration()
            let db = database.configuration
            configuration.databaseURL = "postgres://\(db.user):\(db.password ?? "")@\(db.host):\(db.port)/\(db.database)?sslmode=disable"
            let redis = try TestEnvironment.redis
            configuration.redisURL = "redis://\(redis.host):\(redis.port)/\(redis.database)"
            configuration.port = 0
            configuration.bcryptCost = 4
            configuration.leaveGrace = .milliseconds(300)
            configuration.templatesDirectory = root.appendingPathComponent("templates").path
            configuration.staticDirectory = root.appendingPathComponent("static").path
            configure(&configuration)
            let app = try await buildApplication(configuration, logger: TestEnvironment.logger("web"))
            try await app.test(.live) { client in
                try await body(TestHearth(port: client.port!, client: client, postgres: postgres))
            }
        }
    }

    /// Counts rows: `SELECT count(*) ...` helper.
    func count(_ query: PostgresQuery) async throws -> Int {
        try await postgres.query(query).first!.decode(at: 0, as: Int.self)
    }
}
