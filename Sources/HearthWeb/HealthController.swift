import HearthPostgres
import HearthRedis
import Hummingbird
import Synchronization

/// `GET /healthz` (the process answers) and `GET /readyz` (Postgres and Redis answer too).
struct HealthController: Sendable {
    /// How long a readiness probe waits for each dependency.
    static let probeTimeout = Duration.seconds(2)

    let postgres: PostgresClient
    let redis: RedisClient

    /// The body of both endpoints.
    struct Status: ResponseEncodable {
        let status: String
        let postgres: String?
        let redis: String?
    }

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/healthz") { _, _ in
            Status(status: "ok", postgres: nil, redis: nil)
        }
        router.get("/readyz") { _, _ in
            try await readiness()
        }
    }

    func readiness() async throws -> EditedResponse<Status> {
        async let postgresUp = probe { try await postgres.query("SELECT 1") }
        async let redisUp = probe { try await redis.send("PING") }
        let (databaseReady, cacheReady) = await (postgresUp, redisUp)
        let ready = databaseReady && cacheReady
        return EditedResponse(
            status: ready ? .ok : .serviceUnavailable,
            response: Status(
                status: ready ? "ok" : "unavailable",
                postgres: databaseReady ? "up" : "down",
                redis: cacheReady ? "up" : "down"
            )
        )
    }

    /// Whether `check` succeeds within ``probeTimeout``. A check that hangs is left behind
    /// rather than awaited, so the probe answers in time.
    private func probe(_ check: @escaping @Sendable () async throws -> Void) async -> Bool {
        await withCheckedContinuation { continuation in
            let answer = FirstAnswer(continuation)
            Task { answer.resume((try? await check()) != nil) }
            Task {
                try? await Task.sleep(for: Self.probeTimeout)
                answer.resume(false)
            }
        }
    }
}

/// Resumes a continuation with whichever answer comes first.
private final class FirstAnswer: Sendable {
    private let continuation: Mutex<CheckedContinuation<Bool, Never>?>

    init(_ continuation: CheckedContinuation<Bool, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ value: Bool) {
        continuation.withLock {
            $0?.resume(returning: value)
            $0 = nil
        }
    }
}
