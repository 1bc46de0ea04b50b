import Foundation
import HearthCore
import HearthStorage
import HearthTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct RoomPageTests {
    @Test func roomsAreCreatedListedAndUniqueRegardlessOfCase() async throws {
        try await TestHearth.with { hearth in
            let owner = Visitor(hearth)
            try await owner.register(Visitor.newName())
            let created = try await owner.createRoom("Garden")
            #expect(created.status == .seeOther)
            #expect(created.headers[.location] == "/rooms/Garden")
            let duplicate = try await owner.createRoom("GARDEN")
            #expect(duplicate.status == .conflict)
            #expect(duplicate.text.contains("A room with that name already exists."))
            let invalid = try await owner.createRoom("no spaces")
            #expect(invalid.status == .unprocessableContent)
            let list = try await owner.get("/rooms").text
            #expect(list.contains(#"<a href="/rooms/Garden"><strong>Garden</strong></a>"#))
            #expect(try await hearth.count("SELECT count(*) FROM memberships WHERE role = 'owner'") == 1)
            // Visiting a room makes you a member.
            let guest = Visitor(hearth)
            try await guest.register(Visitor.newName())
            #expect(try await guest.get("/rooms/garden").status == .ok)
            #expect(try await hearth.count("SELECT count(*) FROM memberships") == 2)
            #expect(try await guest.get("/rooms/nowhere").status == .notFound)
        }
    }

    @Test func historyEndpointPagesBackwardsByPosition() async throws {
        try await TestHearth.with { hearth in
            let owner = Visitor(hearth)
            let name = Visitor.newName()
            try await owner.register(name)
            try await owner.createRoom("Archive")
            let roomID = try await hearth.count("SELECT id FROM rooms")
            let userID = try await hearth.count("SELECT id FROM users")
            let repository = PostgresMessageRepository(client: hearth.postgres)
            _ = try await repository.append((1...120).map {
                NewMessage(roomID: Int64(roomID), author: User(id: Int64(userID), username: name), kind: .text, body: "message \($0)")
            })

            func page(_ query: String) async throws -> (positions: [Int64], hasMore: Bool) {
                let response = try await owner.get("/rooms/Archive/messages\(query)")
                #expect(response.status == .ok)
                struct Page: Decodable { let messages: [ChatMessage]; let hasMore: Bool }
                let decoder = JSONDecoder()
                decoder.dateDecodingStrategy = .custom { decoder in
                    let text = try decoder.singleValueContainer().decode(String.self)
                    return try Date(text, strategy: .iso8601.year().month().day().time(includingFractionalSeconds: true))
                }
                let decoded = try decoder.decode(Page.self, from: Data(buffer: response.body))
                return (decoded.messages.map(\.position), decoded.hasMore)
            }
            let newest = try await page("?limit=50")
            #expect(newest.positions == Array(71...120))
            #expect(newest.hasMore)
            let older = try await page("?before=71&limit=50")
            #expect(older.positions == Array(21...70))
            let oldest = try await page("?before=21&limit=50")
            #expect(oldest.positions == Array(1...20))
            #expect(!oldest.hasMore)
            #expect(try await owner.get("/rooms/Archive/messages?limit=1000").status == .badRequest)
            #expect(try await owner.get("/rooms/Archive/messages?before=abc").status == .badRequest)
            #expect(try await Visitor(hearth).get("/rooms/Archive/messages").status == .unauthorized)

            // The page itself renders the newest 50 and links to older ones without JavaScript.
            let html = try await owner.get("/rooms/Archive").text
            #expect(html.contains(#"data-position="120""#))
            #expect(!html.contains(#"data-position="70""#))
            #expect(html.contains(#"href="/rooms/Archive?before=71""#))
        }
    }

    @Test func userTextIsEscapedInPages() async throws {
        try await TestHearth.with { hearth in
            let owner = Visitor(hearth)
            let name = Visitor.newName()
            try await owner.register(name)
            try await owner.createRoom("Safe")
            let roomID = try await hearth.count("SELECT id FROM rooms")
            let userID = try await hearth.count("SELECT id FROM users")
            let attack = #"<img src=x onerror=alert(1)> & "quotes""#
            _ = try await PostgresMessageRepository(client: hearth.postgres).append([
                NewMessage(roomID: Int64(roomID), author: User(id: Int64(userID), username: name), kind: .text, body: attack),
            ])
            let page = try await owner.get("/rooms/Safe")
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            let html = page.text
            #expect(!html.contains("<img src=x"))
            #expect(html.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;"))
        }
    }
}
