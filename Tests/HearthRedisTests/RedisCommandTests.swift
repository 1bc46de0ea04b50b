import HearthRedis
import HearthTestSupport
import Testing

@Suite struct RedisCommandTests {
    let client: RedisClient

    init() throws {
        client = RedisClient(configuration: try TestEnvironment.redis, logger: TestEnvironment.logger("redis"))
    }

    @Test func binarySafeValuesRoundTrip() async throws {
        let key = TestEnvironment.uniqueName("test:binary")
        let value: [UInt8] = [0, 1, 2, 0, 255, 13, 10, 36, 42, 0]
        #expect(try await client.send("SET", key, value, "EX", 60) == .status("OK"))
        #expect(try await client.send("GET", key) == .bulkString(value))
        #expect(try await client.send("STRLEN", key) == .integer(value.count))
        let keyWithNUL: [UInt8] = Array(key.utf8) + [0, 1]
        try await client.send("SET", keyWithNUL, "x", "EX", 60)
        #expect(try await client.send("GET", keyWithNUL).string == "x")
        #expect(try await client.send("GET", key + "\0\u{1}").string == "x")
        await client.shutdown()
    }

    @Test func integerNilAndArrayReplies() async throws {
        let key = TestEnvironment.uniqueName("test:counter")
        #expect(try await client.send("INCR", key) == .integer(1))
        #expect(try await client.send("INCRBY", key, 41).int == 42)
        #expect(try await client.send("GET", TestEnvironment.uniqueName("test:missing")).isNull)
        let list = TestEnvironment.uniqueName("test:list")
        try await client.send("RPUSH", list, "a", "", "c")
        #expect(try await client.send("LRANGE", list, 0, -1) == .array([.bulkString(Array("a".utf8)), .bulkString([]), .bulkString(Array("c".utf8))]))
        try await client.send("DEL", key, list)
        await client.shutdown()
    }

    @Test func errorReplyIsATypedError() async throws {
        let key = TestEnvironment.uniqueName("test:string")
        try await client.send("SET", key, "not a number", "EX", 60)
        let error = try await #require(throws: RedisError.self) { try await client.send("INCR", key) }
        #expect(error.code == .errorReply)
        #expect(error.errorPrefix == "ERR")
        let wrongType = try await #require(throws: RedisError.self) { try await client.send("LPUSH", key, "x") }
        #expect(wrongType.errorPrefix == "WRONGTYPE")
        #expect(!wrongType.description.contains(key))
        // The connection survives an error reply.
        #expect(try await client.send("GET", key).string == "not a number")
        await client.shutdown()
    }

    @Test func urlConfiguration() throws {
        let configuration = try RedisConfiguration(url: "redis://:pw@cache.local:7000/3")
        #expect(configuration.host == "cache.local")
        #expect(configuration.port == 7000)
        #expect(configuration.password == "pw")
        #expect(configuration.database == 3)
        #expect(!configuration.description.contains("pw"))
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "http://x") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://x/abc") }
    }
}
