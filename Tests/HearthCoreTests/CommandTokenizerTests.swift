import HearthCore
import Testing

@Suite struct CommandTokenizerTests {
    @Test(arguments: [
        ("msg bob hi", ["msg", "bob", "hi"]),
        (#"msg "bob smith" hi there"#, ["msg", "bob smith", "hi", "there"]),
        ("msg 'it''s' x", ["msg", "its", "x"]),
        (#"topic "a \"quoted\" word""#, ["topic", #"a "quoted" word"#]),
        (#"me waves\ hello"#, ["me", "waves hello"]),
        ("  spaced   out  ", ["spaced", "out"]),
        (#"empty """#, ["empty", ""]),
        ("", []),
    ])
    func splitsLikeAShell(_ line: String, _ words: [String]) throws {
        #expect(try CommandTokenizer.split(line) == words)
    }

    @Test(arguments: [#"msg "bob hi"#, "msg 'bob", #"me trailing\"#])
    func refusesUnbalancedInput(_ line: String) {
        #expect(throws: ValidationError.self) { try CommandTokenizer.split(line) }
    }

    @Test func unbalancedQuotesSaySo() {
        #expect(throws: ValidationError("unbalanced quotes: close the double quote")) { try SlashCommand.parse(#"/msg "bob hi"#) }
    }
}
