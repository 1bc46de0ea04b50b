import HearthCore
import HearthPostgres

/// Accounts.
public protocol UserRepository: Sendable {
    /// Creates an account.
    /// - Throws: ``StorageError/usernameTaken``.
    func create(username: String, passwordHash: String) async throws -> User
    /// Finds an account and its password hash by username, regardless of case.
    func findCredentials(username: String) async throws -> (user: User, passwordHash: String)?
}

/// Accounts in PostgreSQL.
public struct PostgresUserRepository: UserRepository {
    let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func create(username: String, passwordHash: String) async throws -> User {
        do {
            let row = try await client.query("""
                INSERT INTO users (username, password_hash) VALUES (\(username), \(passwordHash))
                RETURNING id, username
                """).first!
            return try User(id: row.decode("id"), username: row.decode("username"))
        } catch let error as PostgresError where error.code == .uniqueViolation {
            throw StorageError.usernameTaken
        }
    }

    public func findCredentials(username: String) async throws -> (user: User, passwordHash: String)? {
        let rows = try await client.query("""
            SELECT id, username, password_hash FROM users WHERE lower(username) = lower(\(username))
            """)
        guard let row = rows.first else { return nil }
        return (try User(id: row.decode("id"), username: row.decode("username")), try row.decode("password_hash"))
    }
}
