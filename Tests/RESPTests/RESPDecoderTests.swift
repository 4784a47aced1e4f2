import AoftopTestSupport
import Testing
@testable import RESP

/// Wire bytes and the value they must decode to.
struct Vector: CustomTestStringConvertible, Sendable {
    let wire: [UInt8]
    let value: RESPValue
    init(_ wire: String, _ value: RESPValue) { self.wire = Array(wire.utf8); self.value = value }
    init(bytes: [UInt8], _ value: RESPValue) { self.wire = bytes; self.value = value }
    var testDescription: String { printable(wire.prefix(40)) }
}

let binaryPayload: [UInt8] = [0, 13, 10, 255, 13, 13, 10, 10, 36, 42]

let vectors: [Vector] = [
    Vector("+OK\r\n", .simpleString("OK")),
    Vector("+\r\n", .simpleString("")),
    Vector("-ERR unknown command 'FOO'\r\n", .error("ERR unknown command 'FOO'")),
    Vector("-WRONGPASS invalid username-password pair or user is disabled.\r\n",
           .error("WRONGPASS invalid username-password pair or user is disabled.")),
    Vector(":0\r\n", .integer(0)),
    Vector(":-42\r\n", .integer(-42)),
    Vector(":9223372036854775807\r\n", .integer(.max)),
    Vector(":-9223372036854775808\r\n", .integer(.min)),
    Vector("$5\r\nhello\r\n", .bulkString(Array("hello".utf8))),
    Vector("$0\r\n\r\n", .bulkString([])),
    Vector("$-1\r\n", .bulkString(nil)),
    Vector(bytes: Array("$10\r\n".utf8) + binaryPayload + [13, 10], .bulkString(binaryPayload)),
    Vector("*0\r\n", .array([])),
    Vector("*-1\r\n", .array(nil)),
    Vector("*2\r\n$3\r\nfoo\r\n$-1\r\n", .array([.bulkString(Array("foo".utf8)), .bulkString(nil)])),
    Vector("*3\r\n:1\r\n*2\r\n+a\r\n*-1\r\n*1\r\n*0\r\n",
           .array([.integer(1), .array([.simpleString("a"), .array(nil)]), .array([.array([])])])),
    Vector("*2\r\n-ERR x\r\n$2\r\n\r\n\r\n", .array([.error("ERR x"), .bulkString([13, 10])])),
    Vector("+caf\u{e9}\r\n", .simpleString("caf\u{e9}")),
]

/// Feeds `chunks` one after another, draining values after each.
func decodeAll(_ chunks: [ArraySlice<UInt8>], limits: RESPDecoder.Limits = .init()) throws -> [RESPValue] {
    var decoder = RESPDecoder(limits: limits)
    var values: [RESPValue] = []
    for chunk in chunks {
        decoder.feed(chunk)
        while let value = try decoder.next() { values.append(value) }
    }
    #expect(decoder.bufferedByteCount == 0)
    return values
}

@Suite struct RESPDecoderTests {
    @Test(arguments: vectors) func wholeInput(vector: Vector) throws {
        #expect(try decodeAll([vector.wire[...]]) == [vector.value])
    }

    @Test(arguments: vectors) func oneByteAtATime(vector: Vector) throws {
        var decoder = RESPDecoder()
        for (i, byte) in vector.wire.enumerated() {
            decoder.feed([byte])
            let value = try decoder.next()
            if i < vector.wire.count - 1 {
                #expect(value == nil, "complete after only \(i + 1) of \(vector.wire.count) bytes")
            } else {
                #expect(value == vector.value)
            }
        }
        #expect(try decoder.next() == nil)
    }

    @Test(arguments: vectors) func everySplitPoint(vector: Vector) throws {
        for split in 0...vector.wire.count {
            let chunks = [vector.wire[..<split], vector.wire[split...]]
            #expect(try decodeAll(chunks) == [vector.value], "split at \(split)")
        }
    }

    @Test func allVectorsBackToBackAtEverySplit() throws {
        let stream = vectors.flatMap(\.wire)
        let expected = vectors.map(\.value)
        for split in stride(from: 0, through: stream.count, by: 1) {
            #expect(try decodeAll([stream[..<split], stream[split...]]) == expected, "split at \(split)")
        }
        #expect(try decodeAll(stream.map { [$0][...] }) == expected)
    }

    @Test(arguments: vectors) func encoderRoundTrip(vector: Vector) throws {
        #expect(RESPEncoder.encode(vector.value) == vector.wire)
    }

    @Test func encodesCommandsAsArraysOfBulkStrings() {
        #expect(RESPEncoder.encodeCommand(["CONFIG", "GET", "maxclients"])
                == Array("*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$10\r\nmaxclients\r\n".utf8))
        #expect(RESPEncoder.encodeCommand([[0, 13, 10], []]) == Array("*2\r\n$3\r\n".utf8) + [0, 13, 10, 13, 10] + Array("$0\r\n\r\n".utf8))
        #expect(RESPEncoder.encodeCommand([String]()) == Array("*0\r\n".utf8))
    }

    @Test func textAccessors() {
        #expect(RESPValue.bulkString(Array("x".utf8)).text == "x")
        #expect(RESPValue.simpleString("PONG").text == "PONG")
        #expect(RESPValue.bulkString(nil).text == nil)
        #expect(RESPValue.error("ERR x").errorMessage == "ERR x")
        #expect(RESPValue.integer(1).errorMessage == nil)
    }
}

/// Malformed input and the error it must produce, whether fed whole or byte by byte.
struct BadInput: CustomTestStringConvertible, Sendable {
    let wire: [UInt8]
    let error: RESPError
    init(_ wire: String, _ error: RESPError) { self.wire = Array(wire.utf8); self.error = error }
    var testDescription: String { printable(wire.prefix(40)) }
}

let badInputs: [BadInput] = [
    BadInput("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
             .unknownType(byte: UInt8(ascii: "H"), preview: "HTTP/1.1 400 Bad Request")),
    BadInput("%1\r\n", .unknownType(byte: UInt8(ascii: "%"), preview: "%1")),
    BadInput("\r\n", .unknownType(byte: 13, preview: "")),
    BadInput("$abc\r\n", .invalidNumber("abc")),
    BadInput("$\r\n", .invalidNumber("")),
    BadInput("$-2\r\n", .invalidNumber("-2")),
    BadInput("*-7\r\n", .invalidNumber("-7")),
    BadInput(":12x\r\n", .invalidNumber("12x")),
    BadInput(":-\r\n", .invalidNumber("-")),
    BadInput(":99999999999999999999\r\n", .invalidNumber("99999999999999999999")),
    BadInput("$ 5\r\nhello\r\n", .invalidNumber(" 5")),
    BadInput("+OK\rX", .missingCRLF),
    BadInput("+OK\n", .missingCRLF),
    BadInput("$3\r\nfooX\r\n", .missingCRLF),
    BadInput("$3\r\nfoo\rX", .missingCRLF),
    BadInput("*2\r\n:1\r\n!oops\r\n", .unknownType(byte: UInt8(ascii: "!"), preview: "!oops")),
    BadInput("$9999999999\r\n", .bulkTooLong(length: 9_999_999_999, limit: 64 << 20)),
    BadInput("$99999999999999999999999999\r\n", .bulkTooLong(length: .max, limit: 64 << 20)),
    BadInput("$67108865\r\n", .bulkTooLong(length: 67_108_865, limit: 64 << 20)),
    BadInput("*9999999999\r\n", .arrayTooLong(count: 9_999_999_999, limit: 1 << 20)),
    BadInput(String(repeating: "*1\r\n", count: 33) + ":1\r\n", .nestingTooDeep(limit: 32)),
]

@Suite struct RESPDecoderErrorTests {
    @Test(arguments: badInputs) func throwsWhenFedWhole(input: BadInput) {
        var decoder = RESPDecoder()
        decoder.feed(input.wire)
        #expect(throws: input.error) { _ = try decoder.next() }
    }

    /// The error must surface as soon as the bytes prove it, and never be mistaken for "need more bytes".
    /// (An unknown type byte is reported at once, so its preview holds only the bytes seen so far.)
    @Test(arguments: badInputs) func throwsWhenFedByteByByte(input: BadInput) {
        var decoder = RESPDecoder()
        var thrown: RESPError?
        for byte in input.wire {
            decoder.feed([byte])
            do { _ = try decoder.next() } catch let error as RESPError { thrown = error; break } catch { break }
        }
        if case .unknownType(let byte, let fullPreview) = input.error {
            guard case .unknownType(byte, let preview)? = thrown else {
                Issue.record("expected unknown type \(byte), got \(String(describing: thrown))")
                return
            }
            #expect(preview.count <= 1 && fullPreview.hasPrefix(preview))
        } else {
            #expect(thrown == input.error)
        }
    }

    @Test func nestingAtTheLimitIsAccepted() throws {
        let wire = Array((String(repeating: "*1\r\n", count: 32) + ":1\r\n").utf8)
        var expected = RESPValue.integer(1)
        for _ in 0..<32 { expected = .array([expected]) }
        #expect(try decodeAll([wire[...]]) == [expected])
    }

    @Test func configurableLimits() {
        let limits = RESPDecoder.Limits(maxBulkLength: 4, maxArrayCount: 2, maxDepth: 1, maxLineLength: 8)
        #expect(throws: RESPError.bulkTooLong(length: 5, limit: 4)) { _ = try decodeAll([Array("$5\r\n".utf8)[...]], limits: limits) }
        #expect(throws: RESPError.arrayTooLong(count: 3, limit: 2)) { _ = try decodeAll([Array("*3\r\n".utf8)[...]], limits: limits) }
        #expect(throws: RESPError.nestingTooDeep(limit: 1)) { _ = try decodeAll([Array("*1\r\n*0\r\n".utf8)[...]], limits: limits) }
        #expect(throws: RESPError.lineTooLong(limit: 8)) { _ = try decodeAll([Array("+123456789".utf8)[...]], limits: limits) }
        #expect((try? decodeAll([Array("$4\r\nabcd\r\n".utf8)[...]], limits: limits)) == [.bulkString(Array("abcd".utf8))])
    }

    /// A peer that never sends CRLF must not make the buffer grow without bound.
    @Test func endlessLineIsRefused() {
        var decoder = RESPDecoder()
        var thrown = false
        for _ in 0..<200 {
            decoder.feed(["+".utf8.first!] + [UInt8](repeating: UInt8(ascii: "a"), count: 1000))
            do { _ = try decoder.next() } catch { thrown = true; break }
        }
        #expect(thrown)
    }

    /// Random garbage never traps: it decodes, asks for more, or throws.
    @Test func garbageNeverCrashes() {
        var generator = SplitMix64(seed: 0x5eed)
        let alphabet = Array("+-:$*\r\n0123456789-ab".utf8) + [0, 255]
        for _ in 0..<3000 {
            let count = Int(generator.next() % 40)
            let bytes = (0..<count).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            var decoder = RESPDecoder(limits: .init(maxBulkLength: 1 << 16, maxArrayCount: 64, maxDepth: 8))
            decoder.feed(bytes)
            for _ in 0...count { guard (try? decoder.next()) != nil else { break } }
        }
    }

    @Test func errorDescriptionsAreOneLine() {
        let errors: [RESPError] = badInputs.map(\.error) + [.lineTooLong(limit: 8)]
        for error in errors { #expect(!error.description.contains("\n")) }
        #expect(RESPError.unknownType(byte: 72, preview: "HTTP/1.1 400 Bad Request").description.contains("not a Redis server?"))
    }
}
