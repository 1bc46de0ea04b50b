import Foundation
import HearthWeb
import HearthTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ChatSocketTests {
    /// A live Hearth with a room "Lobby" and a logged-in owner.
    private func withRoom(
        _ configure: @Sendable (inout AppConfiguration) -> Void = { _ in },
        _ body: @Sendable (TestHearth, Visitor) async throws -> Void
    ) async throws {
        try await TestHearth.with(configure) { hearth in
            let owner = Visitor(hearth)
            try await owner.register(Visitor.newName("owner"))
            try await owner.createRoom("Lobby")
            try await body(hearth, owner)
        }
    }

    @Test func upgradeNeedsASessionASameOriginAndARoom() async throws {
        try await withRoom { hearth, owner in
            let stranger = Visitor(hearth)
            await #expect(throws: RawWebSocket.Refused(status: 401)) { try await stranger.socket("Lobby") }
            await #expect(throws: RawWebSocket.Refused(status: 403)) { try await owner.socket("Lobby", origin: "http://evil.example") }
            await #expect(throws: RawWebSocket.Refused(status: 404)) { try await owner.socket("Nowhere") }
            // The same answers without the Upgrade header.
            #expect(try await stranger.get("/rooms/Lobby/ws").status == .unauthorized)
            #expect(try await owner.get("/rooms/Lobby/ws").status == .forbidden, "no Origin at all")
            let socket = try await owner.socket("Lobby")
            #expect(try await socket.next("notice").text?.contains("/help") == true)
        }
    }

    /// Message frames are written by hand (not by JSONEncoder): quotes, backslashes, control
    /// characters and non-ASCII text must survive, and `createdAt` must be UTC ISO 8601.
    @Test func messageFramesAreValidJSONWhateverTheText() async throws {
        try await withRoom { hearth, alice in
            let socket = try await alice.joined("Lobby")
            let text = "say \"hi\" \\ back\\slash\ttab </script> é 😀 \u{1}"
            try await socket.say(text)
            let frame = try await socket.receive { ServerFrameView($0)?.kind == "text" }
            let object = try #require(try JSONSerialization.jsonObject(with: Data(frame.payload)) as? [String: Any])
            let message = try #require(object["message"] as? [String: Any])
            #expect(message["body"] as? String == text)
            let createdAt = try #require(message["createdAt"] as? String)
            #expect(createdAt.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#, options: .regularExpression) != nil, "\(createdAt)")
            let stored = try #require(ISO8601DateFormatter.withFractionalSeconds.date(from: createdAt))
            #expect(abs(stored.timeIntervalSinceNow) < 60)
        }
    }

    @Test func everyoneGetsEveryMessageInTheSameOrderAfterItIsStored() async throws {
        try await withRoom { hearth, alice in
            let (bob, _) = try await Visitor.registered(on: hearth, "bob")
            let aliceSocket = try await alice.joined("Lobby")
            let bobSocket = try await bob.joined("Lobby")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { for n in 0..<10 { try await aliceSocket.say("alice \(n)") } }
                group.addTask { for n in 0..<10 { try await bobSocket.say("bob \(n)") } }
                try await group.waitForAll()
            }

            func texts(_ socket: RawWebSocket) async throws -> [ServerFrameView] {
                var seen: [ServerFrameView] = []
                while seen.count < 20 {
                    seen.append(try await socket.next("message") { $0.kind == "text" })
                }
                return seen
            }
            let seenByAlice = try await texts(aliceSocket)
            let seenByBob = try await texts(bobSocket)
            #expect(seenByAlice == seenByBob)
            let positions = seenByAlice.compactMap(\.position)
            #expect(positions == positions.sorted())
            // Each message's sender saw it too, and what was shown is what is stored.
            #expect(Set(seenByAlice.compactMap(\.body)) == Set((0..<10).flatMap { ["alice \($0)", "bob \($0)"] }))
            let stored = try await hearth.postgres.query("SELECT position, body FROM messages WHERE kind = 'text' ORDER BY position")
            #expect(try stored.map { try $0.decode("body", as: String.self) } == seenByAlice.compactMap(\.body))
        }
    }

    @Test func twoTabsMakeOneJoinLineAndOneLeaveLine() async throws {
        try await withRoom { hearth, alice in
            let first = try await alice.socket("Lobby", after: 0)
            _ = try await first.next("message") { $0.kind == "join" }
            let second = try await alice.socket("Lobby", after: 0)
            _ = try await second.next("ready")
            first.drop()
            // Closing one of two tabs writes nothing; a quick reconnect writes nothing either.
            let third = try await alice.socket("Lobby", after: 0)
            _ = try await third.next("ready")
            second.drop()
            third.drop()
            try await Task.sleep(for: .seconds(1))
            #expect(try await hearth.count("SELECT count(*) FROM messages WHERE kind = 'join'") == 1)
            #expect(try await hearth.count("SELECT count(*) FROM messages WHERE kind = 'leave'") == 1)
        }
    }

    @Test func reconnectingWithALastPositionGetsExactlyWhatWasMissed() async throws {
        try await withRoom { hearth, alice in
            let bob = Visitor(hearth)
            try await bob.register(Visitor.newName("bob"))
            let bobSocket = try await bob.socket("Lobby", after: 0)
            _ = try await bobSocket.next("ready")
            let aliceSocket = try await alice.socket("Lobby", after: 0)
            try await aliceSocket.say("before the drop")
            let last = try await aliceSocket.next("message") { $0.body == "before the drop" }
            aliceSocket.drop()

            for n in 1...5 { try await bobSocket.say("missed \(n)") }
            _ = try await bobSocket.next("message") { $0.body == "missed 5" }

            let again = try await alice.socket("Lobby", after: last.position)
            let (caughtUp, readyAt) = try await again.catchUp()
            // Lines committed after the catch-up read (a "left" line, if the reconnect took longer
            // than the grace period) arrive live instead; catch-up covers exactly up to `ready`.
            let rows = try await hearth.postgres.query("SELECT position FROM messages WHERE position > \(last.position!) AND position <= \(readyAt) ORDER BY position")
            let expected = try rows.map { try $0.decode("position", as: Int64.self) }
            #expect(caughtUp.compactMap(\.position) == expected)
            #expect(caughtUp.filter { $0.kind == "text" }.compactMap(\.body) == (1...5).map { "missed \($0)" })
            // Live messages follow, without duplicates of what catch-up sent.
            try await bobSocket.say("live")
            let live = try await again.next("message") { $0.kind == "text" }
            #expect(live.body == "live")
        }
    }

    @Test func badFramesGetErrorFramesAndOthersKeepChatting() async throws {
        try await withRoom { hearth, alice in
            let (bob, _) = try await Visitor.registered(on: hearth, "bob")
            let aliceSocket = try await alice.socket("Lobby", after: 0)
            let bobSocket = try await bob.joined("Lobby")

            try await aliceSocket.say("   \n ")
            #expect(try await aliceSocket.next("error").code == "invalid_message")
            try await aliceSocket.say(String(repeating: "x", count: 4_001))
            #expect(try await aliceSocket.next("error").text?.contains("4000") == true)
            try await aliceSocket.say("/nonsense")
            #expect(try await aliceSocket.next("error").text == "unknown command /nonsense — try /help")
            try await aliceSocket.say("/help")
            #expect(try await aliceSocket.next("notice") { $0.text?.hasPrefix("Commands you can use here") == true }.text?.contains("/help") == true)
            try await aliceSocket.send(text: "{not json")
            #expect(try await aliceSocket.next("error").code == "invalid_frame")
            try await aliceSocket.send(opcode: 0x2, payload: [1, 2, 3])
            #expect(try await aliceSocket.next("error").code == "binary_refused")

            // Nothing bad was stored; bob still chats.
            #expect(try await hearth.count("SELECT count(*) FROM messages WHERE kind = 'text'") == 0)
            try await bobSocket.say("still here")
            #expect(try await bobSocket.next("message") { $0.kind == "text" }.body == "still here")
            #expect(try await aliceSocket.next("message") { $0.kind == "text" }.body == "still here")
        }
    }

    @Test func invalidUTF8AndOversizeFramesAreRefusedThenRepeatedAbuseCloses() async throws {
        try await withRoom { _, alice in
            let socket = try await alice.socket("Lobby", after: 0)
            _ = try await socket.next("ready")
            try await socket.send(opcode: 0x1, payload: [0x7B, 0xFF, 0xFE, 0x7D])
            #expect(try await socket.next("error").code == "invalid_utf8")
            let big = Array(repeating: UInt8(ascii: "a"), count: 70 * 1024)
            try await socket.send(opcode: 0x1, payload: big)
            #expect(try await socket.next("error").code == "frame_too_large")
            try await socket.send(opcode: 0x1, payload: big)
            let close = try await socket.receive { $0.opcode == 0x8 || ServerFrameView($0)?.type == "error" }
            let finalClose = close.opcode == 0x8 ? close : try await socket.receive { $0.opcode == 0x8 }
            #expect(finalClose.closeCode == 1009)
        }
    }

    @Test func sendersAreRateLimited() async throws {
        try await withRoom({ $0.sendBurst = 5; $0.sendPerSecond = 0.5 }) { hearth, alice in
            let socket = try await alice.socket("Lobby", after: 0)
            _ = try await socket.next("ready")
            for n in 0..<8 { try await socket.say("burst \(n)") }
            let refusal = try await socket.next("error")
            #expect(refusal.code == "rate_limited")
            #expect(refusal.text?.contains("Slow down") == true)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await hearth.count("SELECT count(*) FROM messages WHERE kind = 'text'") == 5)
        }
    }

    @Test func aStuckClientIsDroppedWithoutDelayingOthers() async throws {
        try await withRoom({ $0.outboundQueueCapacity = 256; $0.sendBurst = 100_000; $0.sendPerSecond = 100_000 }) { hearth, alice in
            let stuckUser = Visitor(hearth)
            try await stuckUser.register(Visitor.newName("stuck"))
            let stuck = try await stuckUser.socket("Lobby", after: 0, receiveBuffer: 4096)
            let reader = Visitor(hearth)
            try await reader.register(Visitor.newName("reader"))
            let readerSocket = try await reader.socket("Lobby", after: 0)
            _ = try await readerSocket.next("ready")
            var senders: [RawWebSocket] = []
            for _ in 0..<3 {
                let sender = Visitor(hearth)
                try await sender.register(Visitor.newName("sender"))
                let socket = try await sender.socket("Lobby", after: 0)
                _ = try await socket.next("ready")
                senders.append(socket)
            }
            // Senders read what they are sent (as a browser does), so only one client is stuck.
            let draining = senders.map { socket in
                Task { while (try? await socket.receive()) != nil {} }
            }
            defer { draining.forEach { $0.cancel() } }

            // More than the kernel buffers between the server and the stuck client can hold
            // (up to 4 MiB of send buffer here), so its queue must overflow.
            let body = String(repeating: "0123456789abcdef", count: 240)
            let perSender = 800
            let count = perSender * senders.count
            let reading = Task {
                var received = 0
                while received < count {
                    _ = try await readerSocket.next("message") { $0.kind == "text" }
                    received += 1
                }
                return received
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, socket) in senders.enumerated() {
                    group.addTask { for n in 0..<perSender { try await socket.say("\(index)-\(n) \(body)") } }
                }
                try await group.waitForAll()
            }
            #expect(try await reading.value == count)
            #expect(try await hearth.count("SELECT count(*) FROM messages WHERE kind = 'text'") == count)

            // The stuck client was dropped: after what the kernel had buffered, the stream ends
            // (a close frame, if one still fits, says 1013) instead of carrying every message.
            var delivered = 0
            var closeCode: Int?
            do {
                while let frame = try await stuck.receive() {
                    if frame.opcode == 0x8 { closeCode = frame.closeCode; break }
                    if ServerFrameView(frame)?.kind == "text" { delivered += 1 }
                }
            } catch {
                Issue.record("stuck client: \(error) after \(delivered) messages")
            }
            #expect(delivered < count)
            #expect(closeCode == nil || closeCode == 1013)
        }
    }
}

extension ISO8601DateFormatter {
    fileprivate static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
