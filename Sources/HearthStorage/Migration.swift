import Foundation

/// One numbered schema change, read from `Migrations/NNNN_name.sql`.
public struct Migration: Sendable, Equatable {
    /// The number that orders migrations; recorded in `schema_migrations` once applied.
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }

    /// The migrations shipped with Hearth, in version order.
    /// - Throws: ``MigrationError`` when a file is misnamed or two share a version.
    public static func bundled() throws -> [Migration] {
        let folder = Bundle.module.resourceURL!.appendingPathComponent("Migrations")
        let urls = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "sql" }
        let migrations = try urls.map { (url: URL) throws -> Migration in
            let stem = url.deletingPathExtension().lastPathComponent
            let parts = stem.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, let version = Int(parts[0]) else {
                throw MigrationError(message: "migration file \(url.lastPathComponent) is not named NNNN_name.sql")
            }
            return Migration(version: version, name: String(parts[1]), sql: try String(contentsOf: url, encoding: .utf8))
        }.sorted { $0.version < $1.version }
        for (earlier, later) in zip(migrations, migrations.dropFirst()) where earlier.version == later.version {
            throw MigrationError(message: "two migrations share version \(later.version)")
        }
        guard !migrations.isEmpty else { throw MigrationError(message: "no migrations are bundled") }
        return migrations
    }
}

/// A migration set that cannot be applied.
public struct MigrationError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "migrations: \(message)" }
}
