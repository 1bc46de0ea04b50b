import CHiredis
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A Redis SUBSCRIBE/PSUBSCRIBE connection on a thread of its own, delivering
/// ``RedisPubSubEvent``s as an `AsyncStream`.
///
/// The thread waits in `poll(2)` on the Redis socket and on a wake-up pipe, so subscription
/// changes are sent at once without sharing the hiredis context between threads. When the
/// connection breaks it reconnects with backoff and subscribes again to everything wanted.
/// Idle connections are checked with PING.
public final class RedisSubscriber: Service, Sendable {
    private struct Wanted {
        var channels: Set<String> = []
        var patterns: Set<String> = []
        var stopping = false
    }

    /// Every event, in arrival order. Finishes after ``shutdown()``.
    public let events: AsyncStream<RedisPubSubEvent>
    private let continuation: AsyncStream<RedisPubSubEvent>.Continuation
    private let wanted = Mutex(Wanted())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let configuration: RedisConfiguration
    private let logger: Logger
    /// How long the connection may be silent before a PING, and then before it counts as dead.
    private let idleCheckMilliseconds: Int32 = 5_000

    /// Starts the subscriber thread; it connects at once and keeps reconnecting until shut down.
    public init(configuration: RedisConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0, "cannot create the subscriber's wake-up pipe")
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        (wakeRead, wakeWrite) = (fds[0], fds[1])
        let thread = Thread { [self] in self.runLoop() }
        thread.name = "redis subscriber"
        thread.stackSize = 512 * 1024
        thread.start()
    }

    /// Subscribes to channels (SUBSCRIBE). Watch ``events`` for `.subscribed` confirmations.
    public func subscribe(_ channels: String...) {
        wanted.withLock { $0.channels.formUnion(channels) }
        wake()
    }

    /// Unsubscribes from channels.
    public func unsubscribe(_ channels: String...) {
        wanted.withLock { $0.channels.subtract(channels) }
        wake()
    }

    /// Subscribes to glob patterns (PSUBSCRIBE).
    public func psubscribe(_ patterns: String...) {
        wanted.withLock { $0.patterns.formUnion(patterns) }
        wake()
    }

    /// Unsubscribes from glob patterns.
    public func punsubscribe(_ patterns: String...) {
        wanted.withLock { $0.patterns.subtract(patterns) }
        wake()
    }

    /// Waits for graceful shutdown, then stops the thread.
    public func run() async throws {
        try? await gracefulShutdown()
        shutdown()
    }

    /// Closes the connection, stops the thread and finishes ``events``.
    public func shutdown() {
        wanted.withLock { $0.stopping = true }
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private var isStopping: Bool { wanted.withLock { $0.stopping } }

    // MARK: - The subscriber thread

    private func runLoop() {
        var backoff: Int32 = 50
        while !isStopping {
            let context: UnsafeMutablePointer<redisContext>
            do {
                context = try RedisContext.open(configuration)
            } catch {
                logger.debug("subscriber cannot connect to Redis", metadata: ["error": "\(error)"])
                waitForWake(milliseconds: backoff)
                backoff = min(backoff * 2, 2_000)
                continue
            }
            backoff = 50
            serve(context)
            redisFree(context)
            if !isStopping {
                logger.warning("subscriber lost its Redis connection; reconnecting")
                continuation.yield(.disconnected)
            }
        }
        continuation.finish()
        close(wakeRead)
        close(wakeWrite)
    }

    /// Runs one connection until it breaks or the subscriber stops.
    private func serve(_ context: UnsafeMutablePointer<redisContext>) {
        var activeChannels: Set<String> = []
        var activePatterns: Set<String> = []
        var pingOutstanding = false
        while true {
            let want = wanted.withLock { $0 }
            if want.stopping { return }
            do {
                try sync(context, "SUBSCRIBE", "UNSUBSCRIBE", want.channels, &activeChannels)
                try sync(context, "PSUBSCRIBE", "PUNSUBSCRIBE", want.patterns, &activePatterns)
            } catch {
                return
            }

            var descriptors = [
                pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, idleCheckMilliseconds)
            if ready < 0 { continue }  // EINTR
            if ready == 0 {
                // Silent for a whole interval: a PING must be answered within the next one.
                if pingOutstanding { return }
                guard (try? RedisContext.write(context, ["PING".redisBytes])) != nil else { return }
                pingOutstanding = true
                continue
            }
            if descriptors[1].revents != 0 { drainWakePipe() }
            if descriptors[0].revents != 0 {
                guard redisBufferRead(context) == REDIS_OK else { return }
                pingOutstanding = false
                while true {
                    var raw: UnsafeMutableRawPointer?
                    guard redisReaderGetReply(context.pointee.reader, &raw) == REDIS_OK else { return }
                    guard let raw else { break }
                    let value = RedisContext.copy(raw.assumingMemoryBound(to: redisReply.self))
                    freeReplyObject(raw)
                    deliver(value)
                }
            }
        }
    }

    /// Sends (UN)SUBSCRIBE for the difference between what is wanted and what is active.
    private func sync(
        _ context: UnsafeMutablePointer<redisContext>, _ add: String, _ remove: String,
        _ wanted: Set<String>, _ active: inout Set<String>
    ) throws {
        let added = wanted.subtracting(active)
        let removed = active.subtracting(wanted)
        if !added.isEmpty { try RedisContext.write(context, [add.redisBytes] + added.map(\.redisBytes)) }
        if !removed.isEmpty { try RedisContext.write(context, [remove.redisBytes] + removed.map(\.redisBytes)) }
        active = wanted
    }

    private func deliver(_ value: RedisValue) {
        guard let parts = value.array, let kind = parts.first?.string else { return }
        switch (kind, parts.count) {
        case ("message", 3):
            continuation.yield(.message(channel: parts[1].string ?? "", payload: parts[2].bytes ?? []))
        case ("pmessage", 4):
            continuation.yield(.patternMessage(pattern: parts[1].string ?? "", channel: parts[2].string ?? "", payload: parts[3].bytes ?? []))
        case ("subscribe", 3), ("psubscribe", 3):
            continuation.yield(.subscribed(parts[1].string ?? ""))
        default:
            break  // unsubscribe confirmations and PING replies
        }
    }

    private func waitForWake(milliseconds: Int32) {
        var descriptor = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, milliseconds) > 0 { drainWakePipe() }
    }

    private func drainWakePipe() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }
}
