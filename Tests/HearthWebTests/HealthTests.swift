import Foundation
import HearthTestSupport
import HearthWeb
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct HealthTests {
    private func configuration(_ database: TestDatabase, redisURL: String? = nil) throws -> AppConfiguration {
        var configuration = AppConfiguration()
        let db = database.configuration
        configuration.databaseURL = "postgres://\(db.user):\(db.password ?? "")@\(db.host):\(db.port)/\(db.database)?sslmode=disable"
        let redis = try TestEnvironment.redis
        configuration.redisURL = redisURL ?? "redis://\(redis.host):\(redis.port)/\(redis.database)"
        configuration.port = 0
        return configuration
    }

    private func json(_ response: TestResponse) throws -> [String: String] {
        try JSONDecoder().decode([String: String].self, from: Data(buffer: response.body))
    }

    @Test func healthzAnswers() async throws {
        try await TestDatabase.with { database, _ in
            let app = try await buildApplication(configuration(database), logger: TestEnvironment.logger("web"))
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/healthz", method: .get)
                #expect(response.status == .ok)
                #expect(try json(response) == ["status": "ok"])
            }
        }
    }

    @Test func readyzIsOKWhenPostgresAndRedisAnswer() async throws {
        try await TestDatabase.with { database, _ in
            let app = try await buildApplication(configuration(database), logger: TestEnvironment.logger("web"))
            try await app.test(.router) { client in
                let response = try await client.execute(uri: "/readyz", method: .get)
                #expect(response.status == .ok)
                #expect(try json(response) == ["status": "ok", "postgres": "up", "redis": "up"])
            }
        }
    }

    @Test func readyzReportsRedisDown() async throws {
        try await TestDatabase.with { database, _ in
            try await DisposableRedis.with { redis in
                let url = "redis://127.0.0.1:\(redis.configuration.port)/0"
                let app = try await buildApplication(configuration(database, redisURL: url), logger: TestEnvironment.logger("web"))
                try await app.test(.router) { client in
                    #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
                    try await redis.stop()
                    let response = try await client.execute(uri: "/readyz", method: .get)
                    #expect(response.status == .serviceUnavailable)
                    #expect(try json(response) == ["status": "unavailable", "postgres": "up", "redis": "down"])
                    try await redis.start()
                    #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
                }
            }
        }
    }

    @Test func readyzReportsPostgresDownAndRecovers() async throws {
        try await DisposablePostgres.with { server in
            var configuration = AppConfiguration()
            configuration.databaseURL = "postgres://hearth@127.0.0.1:\(server.configuration.port)/postgres?sslmode=disable"
            let redis = try TestEnvironment.redis
            configuration.redisURL = "redis://\(redis.host):\(redis.port)/\(redis.database)"
            let app = try await buildApplication(configuration, logger: TestEnvironment.logger("web"))
            try await app.test(.router) { client in
                #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
                try await server.stop()
                let response = try await client.execute(uri: "/readyz", method: .get)
                #expect(response.status == .serviceUnavailable)
                #expect(try json(response) == ["status": "unavailable", "postgres": "down", "redis": "up"])
                try await server.start()
                #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            }
        }
    }
}
