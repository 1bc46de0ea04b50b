import Foundation
import HearthPostgres
import HearthTestSupport
import Testing

@Suite struct PostgresTypeRoundTripTests {
    @Test func everySupportedTypeRoundTrips() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            try await client.withConnection { connection in
                try await connection.query("""
                    CREATE TEMP TABLE samples (
                        i8 bigint, i4 integer, i2 smallint, b boolean, t text, f8 double precision,
                        ts timestamptz, u uuid, bytes bytea
                    )
                    """)
                let date = Date(timeIntervalSince1970: 1_795_000_000.123456)
                let uuid = UUID()
                let bytes = Data([0, 1, 0, 255, 0])
                try await connection.query("""
                    INSERT INTO samples VALUES (\(Int.max), \(Int32.min), 7, \(true), \("héllo 👋"), \(-1.5e300), \(date), \(uuid), \(bytes))
                    """)
                let rows = try await connection.query("SELECT * FROM samples")
                #expect(rows.count == 1)
                let row = try #require(rows.first)
                #expect(try row.decode("i8", as: Int.self) == Int.max)
                #expect(try row.decode("i4", as: Int32.self) == Int32.min)
                #expect(try row.decode("i4", as: Int.self) == Int(Int32.min))
                #expect(try row.decode("i2", as: Int64.self) == 7)
                #expect(try row.decode("b", as: Bool.self) == true)
                #expect(try row.decode("t", as: String.self) == "héllo 👋")
                #expect(try row.decode("f8", as: Double.self) == -1.5e300)
                let decodedDate = try row.decode("ts", as: Date.self)
                #expect(abs(decodedDate.timeIntervalSince(date)) < 0.000_001)
                #expect(try row.decode("u", as: UUID.self) == uuid)
                #expect(try row.decode("bytes", as: Data.self) == bytes)
            }
        }
    }

    @Test func nullsDecodeAsOptionalsAndRefuseNonOptionals() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            let noText: String? = nil
            let rows = try await client.query("SELECT \(noText)::text AS t, NULL::bigint AS i, NULL::bytea AS b")
            let row = try #require(rows.first)
            #expect(try row.decode("t", as: String?.self) == nil)
            #expect(try row.decode("i", as: Int?.self) == nil)
            #expect(try row.decode("b", as: Data?.self) == nil)
            let error = try #require(throws: PostgresError.self) { try row.decode("i", as: Int.self) }
            #expect(error.code == .unexpectedNull)
            #expect(error.column == "i")
        }
    }

    @Test(arguments: [
        "",
        "'); DROP TABLE users; --",
        "Robert'); DROP TABLE students;--\\ $1 $$ \" ` ",
        String(repeating: "ünïcødé ✓ 漢字 🎉", count: 5_000),
    ])
    func textIsStoredVerbatim(_ text: String) async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            try await client.withConnection { connection in
                try await connection.query("CREATE TEMP TABLE notes (body text NOT NULL)")
                try await connection.query("INSERT INTO notes (body) VALUES (\(text))")
                let rows = try await connection.query("SELECT body, (SELECT count(*) FROM pg_tables WHERE tablename = 'notes') AS n FROM notes")
                #expect(try rows.first?.decode("body", as: String.self) == text)
            }
        }
    }

    @Test func bytesWithNULsAreBinarySafe() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            let bytes = Data((0..<1024).map { UInt8($0 % 256) }) + Data([0, 0, 0])
            let rows = try await client.query("SELECT \(bytes)::bytea AS b, length(\(bytes)::bytea) AS n")
            #expect(try rows.first?.decode("b", as: Data.self) == bytes)
            #expect(try rows.first?.decode("n", as: Int.self) == bytes.count)
        }
    }

    @Test func wrongTypeOrColumnIsATypedError() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            let row = try #require(try await client.query("SELECT 'text'::text AS t, 1::bigint AS n").first)
            let mismatch = try #require(throws: PostgresError.self) { try row.decode("t", as: Int.self) }
            #expect(mismatch.code == .typeMismatch)
            let mismatch2 = try #require(throws: PostgresError.self) { try row.decode("n", as: Date.self) }
            #expect(mismatch2.code == .typeMismatch)
            let missing = try #require(throws: PostgresError.self) { try row.decode("nope", as: Int.self) }
            #expect(missing.code == .columnNotFound)
            let outOfRange = try #require(throws: PostgresError.self) { try row.decode(at: 9, as: Int.self) }
            #expect(outOfRange.code == .columnNotFound)
        }
    }

    @Test func interpolationBindsInsteadOfSplicing() {
        let name = "x' OR '1'='1"
        let query: PostgresQuery = "SELECT id FROM users WHERE name = \(name) AND id > \(5)"
        #expect(query.sql == "SELECT id FROM users WHERE name = $1 AND id > $2")
        #expect(query.bindings.count == 2)
        #expect(!query.description.contains(name))
        #expect(query.description.contains("****"))
    }
}
