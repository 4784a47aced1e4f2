@testable import StartupCollector
import Testing

@Suite("sdssplitargs: Redis's config line tokenizer")
struct ConfigArgumentsTests {
    func split(_ line: String) -> [String]? {
        ConfigArguments.split(ArraySlice(line.utf8)).map { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    @Test func whitespaceSeparates() {
        #expect(split("maxclients   2000") == ["maxclients", "2000"])
        #expect(split("  save 900 1\t300 10 ") == ["save", "900", "1", "300", "10"])
        #expect(split("") == [])
    }

    @Test func doubleQuotesKnowCEscapesAndHex() {
        #expect(split(#"logfile "/var/log/my redis.log""#) == ["logfile", "/var/log/my redis.log"])
        #expect(split(#"x "a\nb\tc\r\\\"\a\b""#) == ["x", "a\nb\tc\r\\\"\u{07}\u{08}"])
        #expect(split(#"x "\x41\x4a\x4g""#) == ["x", "AJx4g"]) // \x without two hex digits is a plain x
        #expect(split(#"x "\q""#) == ["x", "q"])
        #expect(split(#"x """#) == ["x", ""])
    }

    @Test func singleQuotesOnlyEscapeTheQuote() {
        #expect(split(#"x 'it\'s a\n'"#) == ["x", #"it's a\n"#])
        #expect(split("x ''") == ["x", ""])
    }

    @Test func aQuoteInsideAWordStartsQuotingThere() {
        #expect(split(#"x foo"bar baz""#) == ["x", "foobar baz"])
    }

    @Test func aClosingQuoteMustEndTheWord() {
        #expect(split(#"x "a"b"#) == nil)
        #expect(split("x 'a'b") == nil)
        #expect(split(#"x "a" b"#) == ["x", "a", "b"])
    }

    @Test func unterminatedQuotesAreInvalid() {
        #expect(split(#"x "abc"#) == nil)
        #expect(split("x 'abc") == nil)
        #expect(split(#"x "abc\"#) == nil)
    }

    @Test func quotingRoundTripsThroughTheTokenizer() {
        let value = "a \"b\" \\ \n\t\u{01}é"
        let line = Array("x ".utf8) + ConfigArguments.quoted(value.utf8)
        #expect(ConfigArguments.split(line[...]) == [Array("x".utf8), Array(value.utf8)])
    }
}
