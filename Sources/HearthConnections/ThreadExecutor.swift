import Foundation

/// A serial executor that runs every job on one dedicated OS thread.
///
/// libpq and hiredis calls block. An actor whose `unownedExecutor` is a `ThreadExecutor` runs
/// all of its isolated code on that thread, so a blocking C call made there never occupies a
/// NIO event loop or a thread of Swift's cooperative pool, and the C handle the actor owns is
/// only ever touched by one thread.
public final class ThreadExecutor: SerialExecutor, @unchecked Sendable {
    // All mutable state below is guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    /// Starts the thread.
    /// - Parameter name: The thread's name, as shown by debuggers and `top -H`.
    public init(name: String) {
        let thread = Thread { [self] in self.runLoop() }
        thread.name = name
        // Blocking C clients need little stack; keep each thread cheap.
        thread.stackSize = 512 * 1024
        thread.start()
    }

    /// Enqueues a job; it runs on this executor's thread in FIFO order.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread finish the jobs already queued and then exit.
    ///
    /// Call it when the owner of the thread will never be used again.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func runLoop() {
        var batch: [UnownedJob] = []
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping {
                condition.wait()
            }
            if jobs.isEmpty {
                condition.unlock()
                return
            }
            swap(&batch, &jobs)
            condition.unlock()
            for job in batch {
                job.runSynchronously(on: asUnownedSerialExecutor())
            }
            batch.removeAll(keepingCapacity: true)
        }
    }
}
