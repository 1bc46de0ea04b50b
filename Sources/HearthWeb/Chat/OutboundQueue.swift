import NIOCore
import Synchronization

/// One connection's bounded queue of frames waiting to be written to its socket.
///
/// Producers (room broadcasts) never wait: when the queue is full the client is not keeping
/// up, so the queue closes as overflowed and the connection is dropped; the client reconnects
/// and catches up from its last position. A slow client never slows the room.
final class OutboundQueue: Sendable {
    /// An encoded frame; `position` is set for stored messages so duplicates can be skipped.
    struct Frame: Sendable {
        let position: Int64?
        let bytes: ByteBuffer
    }

    private struct State {
        var frames: [Frame] = []
        var head = 0
        var waiter: CheckedContinuation<Frame?, Never>?
        var closed = false
        var overflowed = false
        var overflowWaiter: CheckedContinuation<Void, Never>?
        var count: Int { frames.count - head }
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Queues a frame; returns `false` (and closes the queue) when the queue is full.
    @discardableResult
    func push(_ frame: Frame) -> Bool {
        state.withLock { state in
            guard !state.closed else { return false }
            if let waiter = state.waiter {
                state.waiter = nil
                waiter.resume(returning: frame)
                return true
            }
            guard state.count < capacity else {
                state.closed = true
                state.overflowed = true
                state.frames.removeAll()
                state.head = 0
                state.waiter?.resume(returning: nil)
                state.waiter = nil
                state.overflowWaiter?.resume()
                state.overflowWaiter = nil
                return false
            }
            state.frames.append(frame)
            return true
        }
    }

    /// The next frame, waiting if there is none; `nil` once the queue is closed and drained.
    func next() async -> Frame? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Frame?, Never>) in
                state.withLock { state in
                    if state.count > 0 {
                        let frame = state.frames[state.head]
                        state.head += 1
                        if state.head == state.frames.count || state.head > 64 {
                            state.frames.removeFirst(state.head)
                            state.head = 0
                        }
                        continuation.resume(returning: frame)
                    } else if state.closed {
                        continuation.resume(returning: nil)
                    } else {
                        state.waiter = continuation
                    }
                }
            }
        } onCancel: {
            close()
        }
    }

    /// Stops the queue: frames already queued are still handed out, then `nil`.
    func close() {
        state.withLock { state in
            state.closed = true
            if state.count == 0 {
                state.waiter?.resume(returning: nil)
                state.waiter = nil
            }
        }
    }

    /// Returns once the queue overflowed, or when the task is cancelled. The connection handler
    /// watches this: a consumer stuck writing to a full socket never notices the overflow itself.
    func waitForOverflow() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                state.withLock { state in
                    if state.overflowed {
                        continuation.resume()
                    } else {
                        state.overflowWaiter = continuation
                    }
                }
            }
        } onCancel: {
            state.withLock { state in
                state.overflowWaiter?.resume()
                state.overflowWaiter = nil
            }
        }
    }

    /// Whether the queue closed because it was full.
    var overflowed: Bool { state.withLock { $0.overflowed } }
}
