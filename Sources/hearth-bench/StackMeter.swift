import Foundation

/// CPU time and memory of the processes under test, read from /proc and the kernel's
/// per-process CPU clocks (nanosecond resolution, all threads, also ones that have exited).
struct StackMeter {
    /// CPU seconds used so far, per part of the stack.
    struct Sample {
        var hearth: [Int32: Double] = [:]
        var postgres: [Int32: Double] = [:]
        var redis: [Int32: Double] = [:]
        var bench: Double = 0
        /// Hearth's time in the kernel (system time, 10 ms ticks): sockets, wake-ups.
        var hearthSystem: Double = 0
    }

    /// CPU used between two samples, in seconds.
    struct Usage {
        var hearth = 0.0
        var postgres = 0.0
        var redis = 0.0
        var bench = 0.0
        var hearthSystem = 0.0
        var stack: Double { hearth + postgres + redis }
    }

    let hearthPID: Int32

    func sample() -> Sample {
        var sample = Sample()
        sample.hearth[hearthPID] = Self.cpuSeconds(of: hearthPID)
        for (pid, command) in Self.processes() {
            if command == "postgres" {
                sample.postgres[pid] = Self.cpuSeconds(of: pid)
            } else if command.hasPrefix("redis-server") {
                sample.redis[pid] = Self.cpuSeconds(of: pid)
            }
        }
        sample.bench = Self.cpuSeconds(of: 0)
        sample.hearthSystem = Self.systemSeconds(of: hearthPID)
        return sample
    }

    /// What each part used from `start` to `end`. PostgreSQL backends that started meanwhile
    /// count from zero; ones that exited meanwhile are lost (the pool keeps its connections, so
    /// under load none do).
    static func usage(from start: Sample, to end: Sample) -> Usage {
        func delta(_ a: [Int32: Double], _ b: [Int32: Double]) -> Double {
            b.reduce(0) { $0 + max(0, $1.value - (a[$1.key] ?? 0)) }
        }
        return Usage(
            hearth: delta(start.hearth, end.hearth), postgres: delta(start.postgres, end.postgres),
            redis: delta(start.redis, end.redis), bench: end.bench - start.bench, hearthSystem: end.hearthSystem - start.hearthSystem
        )
    }

    /// Resident memory of the Hearth process, in bytes.
    func residentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(hearthPID)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
            return kilobytes * 1024
        }
        return 0
    }

    /// CPU seconds of a process (0: this one) from its CPU clock.
    static func cpuSeconds(of pid: Int32) -> Double {
        var clock = clockid_t()
        guard clock_getcpuclockid(pid, &clock) == 0 else { return 0 }
        var time = timespec()
        guard clock_gettime(clock, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// System (kernel) CPU seconds of a process, from /proc/PID/stat.
    static func systemSeconds(of pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 12,
              let ticks = Double(fields[12])
        else { return 0 }
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Every process's id and command name (`comm`).
    static func processes() -> [(Int32, String)] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { entry in
            guard let pid = Int32(entry),
                  let command = try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8)
            else { return nil }
            return (pid, command.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
