import ArgumentParser

/// The `hearth` command: `hearth serve`, `hearth migrate`.
@main
struct Hearth: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hearth: self-hosted multi-room chat.",
        subcommands: [Serve.self, Migrate.self, Admin.self],
        defaultSubcommand: Serve.self
    )
}
