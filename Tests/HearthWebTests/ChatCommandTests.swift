import Foundation
import HearthStorage
import HearthTestSupport
import HearthWeb
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Slash commands end to end: several users with different roles on real WebSockets.
@Suite struct ChatCommandTests {
    struct Person {
        let name: String
        let visitor: Visitor
        let socket: RawWebSocket
    }

    /// A room "Lobby" owned by `owner`, with members `bob` and `carol`, all connected and caught up.
    private func withPeople(_ body: @Sendable (TestHearth, Person, Person, Person) async throws -> Void) async throws {
        try await TestHearth.with { hearth in
            func person(_ prefix: String, createsRoom: Bool = false) async throws -> Person {
                let visitor = Visitor(hearth)
                let name = Visitor.newName(prefix)
                try await visitor.register(name)
                if createsRoom { try await visitor.createRoom("Lobby") }
                let socket = try await visitor.socket("Lobby", after: 0)
                _ = try await socket.next("ready")
                return Person(name: name, visitor: visitor, socket: socket)
            }
            let owner = try await person("owner", createsRoom: true)
            let bob = try await person("bob")
            let carol = try await person("carol")
            try await body(hearth, owner, bob, carol)
        }
    }

    private func systemLines(_ hearth: TestHearth) async throws -> [String] {
        try await hearth.postgres.query("SELECT body FROM messages WHERE kind = 'system' ORDER BY position").map { try $0.decode("body", as: String.self) }
    }

    @Test func membersCannotModerateAndNothingHappens() async throws {
        try await withPeople { hearth, owner, bob, _ in
            try await bob.socket.say("/kill \(owner.name)")
            #expect(try await bob.socket.next("error").text == "you need to be a moderator of this room")
            try await bob.socket.say("/clear")
            #expect(try await bob.socket.next("error").text == "you need to be a moderator of this room")
            try await bob.socket.say("/op \(bob.name)")
            #expect(try await bob.socket.next("error").text == "only the room's owner can do that")
            #expect(try await systemLines(hearth).isEmpty)
            #expect(try await hearth.count("SELECT count(*) FROM messages WHERE kind = 'join'") == 3)
        }
    }

    @Test func killDisconnectsTheTargetWhoSeesWhyAndTheRoomSeesIt() async throws {
        try await withPeople { hearth, owner, bob, carol in
            try await owner.socket.say("/KICK \(bob.name) spamming links")
            let removed = try await bob.socket.next("removed")
            #expect(removed.text == "You were removed from Lobby by \(owner.name): spamming links")
            let close = try await bob.socket.receive { $0.opcode == 0x8 }
            #expect(close.closeCode == 4001)
            let line = try await carol.socket.next("message") { $0.kind == "system" }
            #expect(line.body == "\(bob.name) was removed by \(owner.name): spamming links")
            // Not banned: bob may come back.
            let again = try await bob.visitor.socket("Lobby", after: 0)
            _ = try await again.next("ready")
            // A target who is not in the room is named as such.
            again.drop()
            try await Task.sleep(for: .milliseconds(200))
            try await owner.socket.say("/kill \(bob.name)")
            #expect(try await owner.socket.next("error").text == "\(bob.name) is not in this room")
            try await owner.socket.say("/kill nobody_at_all")
            #expect(try await owner.socket.next("error").text == "no user named nobody_at_all")
            #expect(try await systemLines(hearth).count == 1)
        }
    }

    @Test func banKeepsTheUserOutUntilUnbanned() async throws {
        try await withPeople { hearth, owner, bob, carol in
            try await owner.socket.say("/op \(bob.name)")
            _ = try await carol.socket.next("message") { $0.body == "\(owner.name) made \(bob.name) a moderator" }
            try await bob.socket.say("/ban \(carol.name)")
            #expect(try await carol.socket.next("removed").text == "You are banned from Lobby by \(bob.name).")
            #expect(try await carol.socket.receive { $0.opcode == 0x8 }.closeCode == 4003)
            _ = try await owner.socket.next("message") { $0.body == "\(carol.name) was banned by \(bob.name)" }

            await #expect(throws: RawWebSocket.Refused(status: 403)) { try await carol.visitor.socket("Lobby") }
            #expect(try await carol.visitor.get("/rooms/Lobby").status == .forbidden)
            #expect(try await carol.visitor.get("/rooms/Lobby/messages").status == .forbidden)
            #expect(try await hearth.count("SELECT count(*) FROM memberships WHERE banned") == 1)

            try await bob.socket.say("/ban \(carol.name)")
            #expect(try await bob.socket.next("error").text == "\(carol.name) is already banned")
            try await bob.socket.say("/unban \(carol.name)")
            _ = try await owner.socket.next("message") { $0.body == "\(carol.name) was unbanned by \(bob.name)" }
            let back = try await carol.visitor.socket("Lobby", after: 0)
            _ = try await back.next("ready")
        }
    }

    @Test func theOwnerIsProtected() async throws {
        try await withPeople { hearth, owner, bob, _ in
            try await owner.socket.say("/op \(bob.name)")
            _ = try await bob.socket.next("message") { $0.kind == "system" }
            try await bob.socket.say("/kill \(owner.name)")
            #expect(try await bob.socket.next("error").text == "nobody can do that to the room's owner")
            try await bob.socket.say("/ban \(owner.name)")
            #expect(try await bob.socket.next("error").text == "nobody can do that to the room's owner")
            try await owner.socket.say("/deop \(owner.name)")
            #expect(try await owner.socket.next("error").text == "nobody can deop the room's owner")
            try await owner.socket.say("/kill \(owner.name)")
            #expect(try await owner.socket.next("error").text == "you cannot do that to yourself")
            try await owner.socket.say("/deop \(bob.name)")
            _ = try await bob.socket.next("message") { $0.body == "\(owner.name) removed \(bob.name) as moderator" }
            try await bob.socket.say("/clear")
            #expect(try await bob.socket.next("error").text == "you need to be a moderator of this room")
            #expect(try await hearth.count("SELECT count(*) FROM memberships WHERE role = 'moderator'") == 0)
        }
    }

    @Test func siteAdminsActInEveryRoom() async throws {
        try await withPeople { hearth, owner, bob, carol in
            try await PostgresUserRepository(client: hearth.postgres).setAdmin(username: carol.name, true)
            try await carol.socket.say("/op \(bob.name)")
            _ = try await owner.socket.next("message") { $0.body == "\(carol.name) made \(bob.name) a moderator" }
            try await carol.socket.say("/help")
            #expect(try await carol.socket.next("notice") { $0.text?.hasPrefix("Commands") == true }.text?.contains("/deop USER") == true)
        }
    }

    @Test func clearEmptiesHistoryAndStartsItWithALine() async throws {
        try await withPeople { hearth, owner, bob, _ in
            for n in 1...3 { try await bob.socket.say("old \(n)") }
            _ = try await owner.socket.next("message") { $0.body == "old 3" }
            try await owner.socket.say("/clear")
            let line = try await bob.socket.next("message") { $0.kind == "clear" }
            #expect(line.body == "history cleared by \(owner.name)")
            let rows = try await hearth.postgres.query("SELECT kind, body FROM messages")
            #expect(try rows.map { try $0.decode("body", as: String.self) } == ["history cleared by \(owner.name)"])
            // A reconnecting client's catch-up starts from the clear line.
            let again = try await bob.visitor.socket("Lobby", after: 0)
            #expect(try await again.catchUp().messages.map(\.kind) == ["clear"])
        }
    }

    @Test func topicIsShownToAllAndSetByModerators() async throws {
        try await withPeople { hearth, owner, bob, carol in
            try await bob.socket.say("/topic")
            #expect(try await bob.socket.next("notice") { $0.text != nil && !$0.text!.hasPrefix("Welcome") }.text == "No topic is set.")
            try await bob.socket.say("/topic Bob's topic")
            #expect(try await bob.socket.next("error").text == "you need to be a moderator of this room")
            try await owner.socket.say(#"/topic "Tea & <biscuits>""#)
            #expect(try await carol.socket.next("topic").text == nil)
            let topicFrame = try await bob.socket.receive { ServerFrameView($0)?.type == "topic" }
            #expect(String(decoding: topicFrame.payload, as: UTF8.self).contains("Tea & <biscuits>"))
            #expect(try await hearth.postgres.query("SELECT topic FROM rooms").first?.decode("topic", as: String.self) == "Tea & <biscuits>")
            try await bob.socket.say("/topic")
            #expect(try await bob.socket.next("notice") { $0.text?.hasPrefix("Topic") == true }.text == "Topic: Tea & <biscuits>")
            let list = try await bob.visitor.get("/rooms").text
            #expect(list.contains("Tea &amp; &lt;biscuits&gt;"))
        }
    }

    @Test func privateMessagesReachOnlyTheTwoPeople() async throws {
        try await withPeople { hearth, owner, bob, carol in
            try await owner.socket.say(#"/msg "\#(bob.name)" meet me at noon"#)
            let seenByBob = try await bob.socket.next("message") { $0.kind == "private" }
            #expect(seenByBob.body == "meet me at noon")
            #expect(seenByBob.author == owner.name)
            _ = try await owner.socket.next("message") { $0.kind == "private" }
            try await bob.socket.say("public")
            // Carol's next stored message is the public one: the private one never reached her.
            #expect(try await carol.socket.next("message") { $0.kind == "text" || $0.kind == "private" }.body == "public")
            let carolHistory = try await carol.visitor.get("/rooms/Lobby/messages").text
            #expect(!carolHistory.contains("meet me"))
            #expect(try await bob.visitor.get("/rooms/Lobby/messages").text.contains("meet me at noon"))
            try await bob.socket.say("/msg ghost_user hi")
            #expect(try await bob.socket.next("error").text == "no user named ghost_user")
        }
    }

    @Test func meNickWhoAndTime() async throws {
        try await withPeople { hearth, owner, bob, carol in
            try await bob.socket.say("/me waves")
            let action = try await carol.socket.next("message") { $0.kind == "action" }
            #expect(action.author == bob.name)
            #expect(action.body == "waves")

            try await bob.socket.say("/nick \(carol.name.uppercased())")
            #expect(try await bob.socket.next("error").text == "the name \(carol.name.uppercased()) is taken")
            try await bob.socket.say("/nick Robert")
            #expect(try await carol.socket.next("message") { $0.kind == "system" }.body == "\(bob.name) is now known as Robert")
            #expect(try await carol.socket.next("presence") { $0.people?.contains("Robert") == true }.people?.contains(bob.name) == false)
            try await bob.socket.say("after the nick")
            #expect(try await carol.socket.next("message") { $0.kind == "text" }.author == "Robert")
            try await carol.socket.say("/nick robert")
            #expect(try await carol.socket.next("error").text == "the name robert is taken")

            try await carol.socket.say("/who")
            let who = try await carol.socket.next("notice") { $0.text?.contains("here:") == true }
            #expect(who.text?.hasPrefix("3 people here:") == true)
            #expect(who.text?.contains("Robert") == true)
            try await carol.socket.say("/time")
            #expect(try await carol.socket.next("notice") { $0.text?.hasPrefix("Server time: ") == true }.text != nil)
            try await owner.socket.say(#"/msg "unclosed"#)
            #expect(try await owner.socket.next("error").text == "unbalanced quotes: close the double quote")
        }
    }
}
