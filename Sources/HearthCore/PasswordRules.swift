/// What a password must be.
public enum PasswordRules {
    public static let minimumLength = 8
    /// bcrypt reads at most 72 bytes; refusing longer passwords keeps the rest from being ignored silently.
    public static let maximumBytes = 72

    /// Checks a new password and its confirmation.
    /// - Throws: ``ValidationError`` saying what is wrong.
    public static func validate(_ password: String, confirmation: String) throws {
        guard password.count >= minimumLength else {
            throw ValidationError("Passwords must be at least \(minimumLength) characters long.")
        }
        guard password.utf8.count <= maximumBytes else {
            throw ValidationError("Passwords can be at most \(maximumBytes) bytes long.")
        }
        guard password == confirmation else {
            throw ValidationError("The two passwords do not match.")
        }
    }
}
