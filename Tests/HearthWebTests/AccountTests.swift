import HearthTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AccountTests {
    @Test func registerLogsInAndDuplicateNamesAreRefusedRegardlessOfCase() async throws {
        try await TestHearth.with { hearth in
            let name = Visitor.newName("Ann")
            let ann = Visitor(hearth)
            let response = try await ann.register(name)
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/rooms")
            #expect(try await ann.get("/rooms").text.contains("Signed in as <strong>\(name)</strong>"))

            let impostor = Visitor(hearth)
            let refused = try await impostor.register(name.uppercased())
            #expect(refused.status == .conflict)
            #expect(refused.text.contains("That username is taken."))
            #expect(try await hearth.count("SELECT count(*) FROM users") == 1)
        }
    }

    @Test(arguments: [
        ("bob smith", "correct horse", "correct horse", "may only contain letters"),
        ("", "correct horse", "correct horse", "Choose a username."),
        (String(repeating: "x", count: 33), "correct horse", "correct horse", "at most 32 characters"),
        ("bob", "short", "short", "at least 8 characters"),
        ("bob", "correct horse", "correct horsE", "do not match"),
    ])
    func badRegistrationsGetClearMessages(_ username: String, _ password: String, _ confirmation: String, _ message: String) async throws {
        try await TestHearth.with { hearth in
            let visitor = Visitor(hearth)
            let token = try await visitor.csrf(on: "/register")
            let response = try await visitor.post("/register", [("csrf", token), ("username", username), ("password", password), ("confirmation", confirmation)])
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains(message))
            #expect(try await hearth.count("SELECT count(*) FROM users") == 0)
        }
    }

    @Test func wrongPasswordAndUnknownUserGetTheSameAnswer() async throws {
        try await TestHearth.with { hearth in
            let name = Visitor.newName()
            try await Visitor(hearth).register(name)
            let visitor = Visitor(hearth)
            let wrong = try await visitor.post("/login", [("csrf", try await visitor.csrf(on: "/login")), ("username", name), ("password", "not the password")])
            let unknown = try await visitor.post("/login", [("csrf", try await visitor.csrf(on: "/login")), ("username", Visitor.newName()), ("password", "whatever1")])
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.text.contains("Wrong username or password."))
            #expect(unknown.text.contains("Wrong username or password."))
            let right = try await visitor.post("/login", [("csrf", try await visitor.csrf(on: "/login")), ("username", name.uppercased()), ("password", "correct horse")])
            #expect(right.status == .seeOther)
        }
    }

    @Test func repeatedFailedLoginsAreThrottled() async throws {
        try await TestHearth.with { hearth in
            let name = Visitor.newName()
            try await Visitor(hearth).register(name)
            let attacker = Visitor(hearth)
            for _ in 0..<5 {
                let response = try await attacker.post("/login", [("csrf", try await attacker.csrf(on: "/login")), ("username", name), ("password", "guess-guess")])
                #expect(response.status == .unauthorized)
            }
            // Even the right password is refused while the username is throttled.
            let blocked = try await attacker.post("/login", [("csrf", try await attacker.csrf(on: "/login")), ("username", name), ("password", "correct horse")])
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.text.contains("Too many failed attempts"))
        }
    }

    @Test func logoutInvalidatesTheOldCookie() async throws {
        try await TestHearth.with { hearth in
            let visitor = Visitor(hearth)
            try await visitor.register(Visitor.newName())
            let oldCookie = try #require(visitor.cookie)
            let token = try await visitor.csrf(on: "/rooms")
            let response = try await visitor.post("/logout", [("csrf", token)])
            #expect(response.status == .seeOther)
            #expect(response.headers[.location] == "/login")
            let replay = try await hearth.client.execute(uri: "/rooms", method: .get, headers: [.cookie: oldCookie])
            #expect(replay.status == .seeOther)
            #expect(replay.headers[.location]?.hasPrefix("/login") == true)
        }
    }

    @Test func formsWithoutAValidCSRFTokenAreRefused() async throws {
        try await TestHearth.with { hearth in
            let visitor = Visitor(hearth)
            try await visitor.register(Visitor.newName())
            #expect(try await visitor.post("/rooms", [("name", "nocsrf")]).status == .forbidden)
            #expect(try await visitor.post("/rooms", [("name", "badcsrf"), ("csrf", "forged")]).status == .forbidden)
            #expect(try await visitor.post("/logout", []).status == .forbidden)
            // A stranger without a session cannot register either.
            let stranger = Visitor(hearth)
            #expect(try await stranger.post("/register", [("username", "x"), ("password", "12345678"), ("confirmation", "12345678")]).status == .forbidden)
            #expect(try await hearth.count("SELECT count(*) FROM rooms") == 0)
        }
    }

    @Test func sessionCookieIsHttpOnlyAndSameSite() async throws {
        try await TestHearth.with { hearth in
            let response = try await Visitor(hearth).get("/login")
            let cookie = try #require(response.headers[values: .setCookie].first { $0.hasPrefix("hearth_session=") })
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Lax"))
            #expect(!cookie.contains("Secure"), "plain HTTP from an untrusted peer is not HTTPS")
            // X-Forwarded-Proto is ignored unless the peer is a trusted proxy.
            let forged = try await Visitor(hearth).get("/login", headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(forged.headers[values: .setCookie].allSatisfy { !$0.contains("Secure") })
        }
    }

    @Test func secureCookieBehindATrustedHTTPSProxy() async throws {
        try await TestHearth.with({ $0.trustedProxies = ["127.0.0.1", "::1"] }) { hearth in
            let response = try await Visitor(hearth).get("/login", headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(response.headers[values: .setCookie].contains { $0.hasPrefix("hearth_session=") && $0.contains("Secure") })
        }
    }

    @Test func pagesThatNeedALoginRedirectAndComeBack() async throws {
        try await TestHearth.with { hearth in
            let owner = Visitor(hearth)
            try await owner.register(Visitor.newName())
            try await owner.createRoom("Lobby")

            let visitor = Visitor(hearth)
            let redirect = try await visitor.get("/rooms/Lobby")
            #expect(redirect.status == .seeOther)
            #expect(redirect.headers[.location] == "/login?next=/rooms/Lobby")
            let name = Visitor.newName()
            let token = try await visitor.csrf(on: "/register?next=/rooms/Lobby")
            let registered = try await visitor.post("/register", [("csrf", token), ("username", name), ("password", "correct horse"), ("confirmation", "correct horse"), ("next", "/rooms/Lobby")])
            #expect(registered.headers[.location] == "/rooms/Lobby")
            // Only local paths: never another site.
            let other = Visitor(hearth)
            let otherToken = try await other.csrf(on: "/register")
            let offsite = try await other.post("/register", [("csrf", otherToken), ("username", Visitor.newName()), ("password", "correct horse"), ("confirmation", "correct horse"), ("next", "//evil.example/")])
            #expect(offsite.headers[.location] == "/rooms")
        }
    }
}
