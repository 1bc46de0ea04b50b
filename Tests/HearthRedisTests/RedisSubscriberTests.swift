import HearthRedis
import HearthTestSupport
import Testing

@Suite struct RedisSubscriberTests {
    /// Reads events until one matches, or fails after `limit` events.
    private func next(
        _ iterator: inout AsyncStream<RedisPubSubEvent>.Iterator, limit: Int = 20,
        where matches: (RedisPubSubEvent) -> Bool
    ) async -> RedisPubSubEvent? {
        for _ in 0..<limit {
            guard let event = await iterator.next() else { return nil }
            if matches(event) { return event }
        }
        return nil
    }

    @Test func publishedMessagesArrive() async throws {
        let configuration = try TestEnvironment.redis
        let subscriber = RedisSubscriber(configuration: configuration, logger: TestEnvironment.logger("sub"))
        let client = RedisClient(configuration: configuration, logger: TestEnvironment.logger("redis"))
        let channel = TestEnvironment.uniqueName("test:channel")
        var events = subscriber.events.makeAsyncIterator()

        subscriber.subscribe(channel)
        subscriber.psubscribe(channel + ":*")
        var confirmed: Set<String> = []
        while confirmed.count < 2, let event = await next(&events, where: { if case .subscribed = $0 { true } else { false } }) {
            if case .subscribed(let name) = event { confirmed.insert(name) }
        }
        #expect(confirmed == [channel, channel + ":*"])

        let payload: [UInt8] = [0, 104, 105, 0, 255]
        #expect(try await client.send("PUBLISH", channel, payload) == .integer(1))
        #expect(await next(&events, where: { if case .message = $0 { true } else { false } }) == .message(channel: channel, payload: payload))

        try await client.send("PUBLISH", channel + ":room", "hello")
        #expect(await next(&events, where: { if case .patternMessage = $0 { true } else { false } })
            == .patternMessage(pattern: channel + ":*", channel: channel + ":room", payload: Array("hello".utf8)))

        subscriber.shutdown()
        #expect(await next(&events, where: { _ in false }) == nil, "events finish after shutdown")
        await client.shutdown()
    }

    @Test func subscriberResubscribesAfterRedisRestarts() async throws {
        try await DisposableRedis.with { server in
            let subscriber = RedisSubscriber(configuration: server.configuration, logger: TestEnvironment.logger("sub"))
            defer { subscriber.shutdown() }
            var events = subscriber.events.makeAsyncIterator()
            subscriber.subscribe("news")
            #expect(await next(&events, where: { $0 == .subscribed("news") }) != nil)

            try await server.stop()
            #expect(await next(&events, where: { $0 == .disconnected }) != nil)
            try await server.start()
            #expect(await next(&events, where: { $0 == .subscribed("news") }) != nil)

            let client = RedisClient(configuration: server.configuration, logger: TestEnvironment.logger("redis"))
            try await client.send("PUBLISH", "news", "after restart")
            #expect(await next(&events, where: { if case .message = $0 { true } else { false } })
                == .message(channel: "news", payload: Array("after restart".utf8)))
            await client.shutdown()
        }
    }
}
