import Foundation

/// Sets up what a workload needs the way a person would: registering through the forms
/// (with their CSRF tokens) and creating rooms with the room form.
struct Accounts {
    let port: Int

    /// Registers `username` and returns its session cookie.
    func register(_ username: String) throws -> String {
        let http = try HTTPConnection(port: port)
        let form = try http.get("/register")
        guard let visitor = form.cookie("hearth_session"), let csrf = Self.csrf(in: form.text) else {
            throw BenchError("GET /register gave no session or CSRF token (status \(form.status))")
        }
        let password = "bench password \(username)"
        let answer = try http.post(
            "/register", form: [("csrf", csrf), ("username", username), ("password", password), ("confirmation", password), ("next", "/rooms")],
            cookie: visitor
        )
        guard answer.status == 303, let session = answer.cookie("hearth_session") else {
            throw BenchError("registering \(username) answered \(answer.status)")
        }
        return session
    }

    /// Creates rooms as the user with `cookie`.
    func createRooms(_ names: [String], cookie: String) throws {
        let http = try HTTPConnection(port: port)
        let list = try http.get("/rooms", cookie: cookie)
        guard let csrf = Self.csrf(in: list.text) else { throw BenchError("GET /rooms gave no CSRF token (status \(list.status))") }
        for name in names {
            let answer = try http.post("/rooms", form: [("csrf", csrf), ("name", name)], cookie: cookie)
            guard answer.status == 303 else { throw BenchError("creating room \(name) answered \(answer.status)") }
        }
    }

    /// Registers `count` users named `prefix1`…, `width` at a time, returning their cookies in order.
    func register(count: Int, prefix: String, width: Int = 8) async throws -> [String] {
        try await Parallel.map(0..<count, width: width) { index in try register("\(prefix)\(index + 1)") }
    }

    static func csrf(in html: String) -> String? {
        guard let range = html.range(of: #"name="csrf" value="([^"]*)""#, options: .regularExpression) else { return nil }
        return String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }
}

/// Runs blocking work on plain threads, off Swift's cooperative pool.
enum Parallel {
    /// Runs `body` once on a thread of its own.
    static func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await map(0..<1, width: 1) { _ in try body() }[0]
    }

    /// Calls `body` for every element, `width` threads at a time; results keep the input order.
    static func map<Result: Sendable>(
        _ range: Range<Int>, width: Int, _ body: @escaping @Sendable (Int) throws -> Result
    ) async throws -> [Result] {
        let work = Work<Result>(range: range)
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                let group = DispatchGroup()
                for _ in 0..<max(1, min(width, range.count)) {
                    group.enter()
                    Thread {
                        while let index = work.take() {
                            do {
                                work.store(try body(index), at: index)
                            } catch {
                                work.fail(error)
                            }
                        }
                        group.leave()
                    }.start()
                }
                group.wait()
                continuation.resume(with: work.outcome)
            }.start()
        }
    }

    /// The shared state of one ``map(_:width:_:)``, guarded by a lock.
    private final class Work<Result: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private let range: Range<Int>
        private var next: Int
        private var results: [Result?]
        private var failure: (any Error)?

        init(range: Range<Int>) {
            self.range = range
            next = range.lowerBound
            results = Array(repeating: nil, count: range.count)
        }

        func take() -> Int? {
            lock.withLock {
                guard failure == nil, next < range.upperBound else { return nil }
                defer { next += 1 }
                return next
            }
        }

        func store(_ result: Result, at index: Int) {
            lock.withLock { results[index - range.lowerBound] = result }
        }

        func fail(_ error: any Error) {
            lock.withLock { failure = failure ?? error }
        }

        var outcome: Swift.Result<[Result], any Error> {
            lock.withLock { failure.map { .failure($0) } ?? .success(results.map { $0! }) }
        }
    }
}
