import Foundation

/// Runs a program to completion on a thread of its own (so a slow `pg_ctl` never blocks the
/// cooperative pool) and returns what it printed.
/// - Throws: ``TestSupportError`` with the program's output when it exits non-zero.
@discardableResult
func run(_ arguments: [String]) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try runBlocking(arguments) })
        }
    }
}

private func runBlocking(_ arguments: [String]) throws -> String {
    // Output goes to a file, not a pipe: a daemon the program starts may keep a pipe open forever.
    // posix_spawn and waitpid rather than Foundation's Process, whose waitUntilExit was seen to
    // hang here when several tests spawned daemons at once (2026-11).
    let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent(TestEnvironment.uniqueName("hearth-run")).path
    defer { unlink(outputPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
    let argv = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, environ)
    guard spawned == 0 else { throw TestSupportError("cannot run \(arguments[0]): error \(spawned)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    // WIFEXITED && WEXITSTATUS == 0, spelled out: the C macros do not import.
    guard status & 0x7f == 0, (status >> 8) & 0xff == 0 else {
        throw TestSupportError("\(arguments.joined(separator: " ")) failed (status \(status)): \(text)")
    }
    return text
}

/// Prefixes a command so it runs as the `postgres` user when we are root (PostgreSQL refuses root).
func asPostgresUser(_ arguments: [String]) -> [String] {
    getuid() == 0 ? ["runuser", "-u", "postgres", "--"] + arguments : arguments
}
