import HearthRedis
import HearthTestSupport
import Testing

@Suite struct RedisRecoveryTests {
    @Test func clientRecoversAfterRedisRestarts() async throws {
        try await DisposableRedis.with { server in
            let client = RedisClient(configuration: server.configuration, logger: TestEnvironment.logger("redis"))
            #expect(try await client.send("PING") == .status("PONG"))

            try await server.stop()
            let error = try await #require(throws: RedisError.self) { try await client.send("PING") }
            #expect(error.code == .connectionFailed)

            try await server.start()
            #expect(try await client.send("PING") == .status("PONG"))
            await client.shutdown()
        }
    }

    @Test func idleConnectionBrokenByARestartIsReplaced() async throws {
        try await DisposableRedis.with { server in
            let client = RedisClient(configuration: server.configuration, logger: TestEnvironment.logger("redis"))
            try await client.send("SET", "k", "v")
            try await server.stop()
            try await server.start()
            // No error reaches the caller: the dead pooled connection is noticed on borrow.
            #expect(try await client.send("GET", "k").isNull)
            await client.shutdown()
        }
    }

    @Test func commandTimeoutIsTyped() async throws {
        var configuration = try TestEnvironment.redis
        configuration.commandTimeout = .milliseconds(100)
        let client = RedisClient(configuration: configuration, logger: TestEnvironment.logger("redis"))
        let key = TestEnvironment.uniqueName("test:empty-list")
        let error = try await #require(throws: RedisError.self) { try await client.send("BLPOP", key, 2) }
        #expect(error.code == .timeout)
        // The timed-out connection is dropped; the next command gets a fresh one.
        #expect(try await client.send("PING") == .status("PONG"))
        await client.shutdown()
    }
}
