import HearthCore
import Testing

@Suite struct NameRulesTests {
    @Test(arguments: ["a", "alice", "Bob_1", "x-y.z", "Zoë", String(repeating: "n", count: 32), "  padded  "])
    func acceptsValidNames(_ name: String) throws {
        #expect(try NameRules.validate(name, kind: "username") == name.trimmingWhitespace())
    }

    @Test(arguments: [
        ("", "Choose a username."),
        ("   ", "Choose a username."),
        (String(repeating: "n", count: 33), "A username can be at most 32 characters long."),
        ("bob smith", "A username may only contain letters, digits, '_', '-' and '.'."),
        ("<script>", "A username may only contain letters, digits, '_', '-' and '.'."),
        ("a/b", "A username may only contain letters, digits, '_', '-' and '.'."),
    ])
    func refusesInvalidNames(_ name: String, _ message: String) {
        #expect(throws: ValidationError(message)) { try NameRules.validate(name, kind: "username") }
    }

    @Test func trimsWhitespaceOnly() {
        #expect(" \n hi there \t".trimmingWhitespace() == "hi there")
        #expect("".trimmingWhitespace() == "")
    }
}
