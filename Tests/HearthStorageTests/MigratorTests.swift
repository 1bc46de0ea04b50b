import HearthPostgres
import HearthStorage
import HearthTestSupport
import Testing

@Suite struct MigratorTests {
    private func migrator(_ client: PostgresClient) throws -> Migrator {
        Migrator(client: client, migrations: try Migration.bundled(), logger: TestEnvironment.logger("migrate"))
    }

    @Test func bundledMigrationsAreNumberedInOrder() throws {
        let migrations = try Migration.bundled()
        #expect(migrations.first?.version == 1)
        #expect(migrations.map(\.version) == migrations.map(\.version).sorted())
    }

    @Test func migrationsApplyOnceAndAreRecorded() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            let all = try Migration.bundled().map(\.version)
            #expect(try await migrator(client).migrate() == all)
            let recorded = try await client.query("SELECT version FROM schema_migrations ORDER BY version")
            #expect(try recorded.map { try $0.decode("version", as: Int.self) } == all)
            // A second run has nothing to do.
            #expect(try await migrator(client).migrate() == [])
            #expect(try await client.query("SELECT count(*) AS n FROM schema_migrations").first?.decode("n", as: Int.self) == all.count)
        }
    }

    @Test func concurrentMigratorsDoNotRace() async throws {
        try await TestDatabase.with(migrated: false) { database, _ in
            let logger = TestEnvironment.logger("migrate")
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        // Separate clients, as separate instances would have.
                        let client = PostgresClient(configuration: database.configuration, logger: logger)
                        let result = try await Migrator(client: client, migrations: Migration.bundled(), logger: logger).migrate()
                        await client.shutdown()
                        return result
                    }
                }
                return try await group.reduce(into: [[Int]]()) { $0.append($1) }
            }
            #expect(applied.filter { !$0.isEmpty } == [try Migration.bundled().map(\.version)])
        }
    }

    @Test func failingMigrationLeavesNothingBehind() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            let broken = [
                Migration(version: 1, name: "good", sql: "CREATE TABLE a (id int)"),
                Migration(version: 2, name: "bad", sql: "CREATE TABLE b (id int); SELECT nonsense FROM nowhere"),
            ]
            let migrator = Migrator(client: client, migrations: broken, logger: TestEnvironment.logger("migrate"))
            await #expect(throws: PostgresError.self) { try await migrator.migrate() }
            let tables = try await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            #expect(try tables.map { try $0.decode("tablename", as: String.self) } == ["a", "schema_migrations"])
            #expect(try await client.query("SELECT version FROM schema_migrations").map { try $0.decode("version", as: Int.self) } == [1])
        }
    }
}
