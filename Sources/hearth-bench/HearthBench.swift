import ArgumentParser
import Foundation
import Logging
import NIOPosix

/// `hearth-bench`: starts Hearth with a fresh database, drives it like real clients over HTTP
/// and WebSocket, and prints latency, throughput, CPU and memory. docs/BENCHMARKS.md has the
/// workloads, their targets and recorded results.
@main
struct HearthBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hearth-bench",
        abstract: "Benchmark Hearth: workloads A–G of docs/BENCHMARKS.md, or a quick smoke run."
    )

    @Argument(help: "Workloads to run: A B C D E F G; floor (what the machine charges without Hearth); smoke (small versions of all, failing on any loss).")
    var workloads: [String] = ["A", "B", "C", "D", "E", "F", "G"]

    @Option(help: "The hearth executable (default: the one next to this tool).")
    var hearth: String?

    @Option(help: "An administrative PostgreSQL URL; the benchmark creates and drops its own database.")
    var adminDatabaseURL = ProcessInfo.processInfo.environment["HEARTH_TEST_DATABASE_URL"] ?? "postgres://hearth:hearth@127.0.0.1:54329/postgres"

    @Option(help: "Redis URL (each run uses a prefix of its own).")
    var redisURL = ProcessInfo.processInfo.environment["HEARTH_TEST_REDIS_URL"] ?? "redis://127.0.0.1:63799/0"

    @Option(help: "Workload E: idle connections to open.")
    var connections = 10_000

    @Option(help: "Workload F: stored messages in the room.")
    var history = 1_000_000

    @Option(help: "Workload G: clients joining at once.")
    var joiners = 1_000

    @Option(help: "Workload D: seconds each rate is held.")
    var seconds = 5.0

    @Flag(help: "Offer permessage-deflate in the handshake, as browsers do.")
    var deflate = false

    func run() async throws {
        raiseFileLimit()
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let settings = BenchServer.Settings(
            hearthPath: hearth ?? executable.deletingLastPathComponent().appendingPathComponent("hearth").path,
            adminDatabaseURL: adminDatabaseURL, redisURL: redisURL,
            rootDirectory: FileManager.default.currentDirectoryPath
        )
        var logger = Logger(label: "hearth-bench")
        logger.logLevel = .error
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let workloads = Workloads(settings: settings, logger: logger, loop: group.next(), deflate: deflate)
        print("hearth-bench \(Date().formatted(.iso8601)) on \(Workloads.machine())")
        var failures: [String] = []
        for name in self.workloads {
            do {
                switch name.uppercased() {
                case "A": try await workloads.chat("A", .init(rooms: 1, clientsPerRoom: 50, sendersPerRoom: 5), rate: 10, perSender: 100)
                case "B": try await workloads.chat("B", .init(rooms: 1, clientsPerRoom: 500, sendersPerRoom: 1), rate: 5, perSender: 50)
                case "C": try await workloads.chat("C", .init(rooms: 50, clientsPerRoom: 10, sendersPerRoom: 1), rate: 2, perSender: 20)
                case "D": try await workloads.ceiling(seconds: seconds)
                case "E": try await workloads.idle(connections: connections, rooms: max(1, connections / 10))
                case "F": try await workloads.history(messages: history)
                case "G": try await workloads.joinStorm(clients: joiners)
                case "FLOOR": try await workloads.floors()
                case "SMOKE": failures += try await workloads.smoke()
                default: throw ValidationError("unknown workload \(name): use A–G, floor or smoke")
                }
            } catch let error as ValidationError {
                throw error
            } catch {
                failures.append("\(name): \(error)")
                print("\(name): FAILED: \(error)")
            }
        }
        try await group.shutdownGracefully()
        if !failures.isEmpty {
            print("hearth-bench: \(failures.count) failed:\n- " + failures.joined(separator: "\n- "))
            throw ExitCode.failure
        }
    }

    /// Tens of thousands of sockets need more than the usual 1,024 descriptors; Hearth,
    /// started by this process, inherits the raised limit.
    private func raiseFileLimit() {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }
}
