import HearthCore
import Testing

@Suite struct SlashCommandTests {
    @Test(arguments: [
        ("/help", SlashCommand.help),
        ("/HELP", .help),
        ("/kill bob", .kill(user: "bob", reason: nil)),
        ("/kick bob being rude", .kill(user: "bob", reason: "being rude")),
        ("/clear", .clear),
        (#"/ban "bob" spam, spam"#, .ban(user: "bob", reason: "spam, spam")),
        ("/unban bob", .unban(user: "bob")),
        ("/op bob", .op(user: "bob")),
        ("/deop bob", .deop(user: "bob")),
        ("/topic", .topic(nil)),
        ("/topic Tea and biscuits", .topic("Tea and biscuits")),
        ("/who", .who),
        (#"/msg "bob smith" hi there"#, .message(to: "bob smith", text: "hi there")),
        ("/msg bob it's fine, isn't it?", .message(to: "bob", text: "it's fine, isn't it?")),
        (#"/topic "Tea & biscuits""#, .topic("Tea & biscuits")),
        ("/topic Bob's \"room\"", .topic("Bob's \"room\"")),
        ("/me   shrugs  ", .me("shrugs")),
        ("/me waves", .me("waves")),
        ("/nick Robert", .nick("Robert")),
        ("/time", .time),
    ])
    func parses(_ line: String, _ command: SlashCommand) throws {
        #expect(try SlashCommand.parse(line) == command)
    }

    @Test func plainTextIsNotACommand() throws {
        #expect(try SlashCommand.parse("hello /help") == nil)
    }

    @Test(arguments: [
        ("/foo", "unknown command /foo — try /help"),
        ("/", "unknown command / — try /help"),
        ("/help me", "usage: /help"),
        ("/kill", "usage: /kill USER [reason]"),
        ("/ban", "usage: /ban USER [reason]"),
        ("/unban a b", "usage: /unban USER"),
        ("/op", "usage: /op USER"),
        ("/deop a b", "usage: /deop USER"),
        ("/who now", "usage: /who"),
        ("/msg bob", "usage: /msg USER TEXT"),
        ("/msg", "usage: /msg USER TEXT"),
        ("/me", "usage: /me TEXT"),
        ("/nick", "usage: /nick NAME"),
        ("/nick two words", "usage: /nick NAME"),
        ("/time please", "usage: /time"),
        ("/clear all", "usage: /clear"),
    ])
    func badInputGetsAPreciseAnswer(_ line: String, _ message: String) {
        #expect(throws: ValidationError(message)) { try SlashCommand.parse(line) }
    }

    @Test func helpListsOnlyWhatTheRoleMayUse() {
        let member = SlashCommand.helpText(for: .member)
        #expect(member.contains("/msg USER TEXT"))
        #expect(!member.contains("/kill"))
        #expect(!member.contains("/op"))
        let moderator = SlashCommand.helpText(for: .moderator)
        #expect(moderator.contains("/kill USER [reason]"))
        #expect(moderator.contains("/clear"))
        #expect(!moderator.contains("/op USER"))
        #expect(SlashCommand.helpText(for: .owner).contains("/deop USER"))
    }
}
