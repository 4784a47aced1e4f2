import AoftopModel
import Foundation
import Testing

@Suite("FdCensus JSON: holes are additive")
struct CensusCodingTests {
    /// A census as recordings made before `holes`/`hole_count` existed wrote it.
    static func oldJSON(highest: Int, lowestFree: Int, total: Int) -> Data {
        Data(("{\"anon_inodes\":{\"eventpoll\":1},\"highest_fd\":\(highest),\"listening_sockets\":1,"
            + "\"lowest_free_fd\":\(lowestFree),\"other\":3,\"pipes\":1500,\"regular_files\":1,"
            + "\"self_held_pipe_pairs\":750,\"sockets\":10,\"total\":\(total)}").utf8)
    }

    @Test func anOldContiguousCensusDecodesWithoutHoles() throws {
        let census = try AoftopJSON.decoder().decode(FdCensus.self,
                                                     from: Self.oldJSON(highest: 10_321, lowestFree: 10_322, total: 10_322))
        #expect(census.total == 10_322)
        #expect(census.holes == [])
        #expect(census.holeCount == 0)
        #expect(census.freeFds(below: 10_128) == 0)
        #expect(census.freeFds(below: 10_400) == 78)
    }

    @Test func anOldCensusWithHolesKnowsTheFirstHoleAndTheCount() throws {
        // 1,568 fds, highest 1,575: 8 free numbers below it, of which only the lowest (7) was recorded.
        let census = try AoftopJSON.decoder().decode(FdCensus.self,
                                                     from: Self.oldJSON(highest: 1_575, lowestFree: 7, total: 1_568))
        #expect(census.holes == [7])
        #expect(census.holeCount == 8)
        #expect(census.freeFds(below: 8) == 1)
        #expect(census.freeFds(below: 192) == nil)
        #expect(census.freeFdBounds(below: 192) == 1...8)
    }

    @Test func newKeysRoundTrip() throws {
        let census = FdCensus(total: 1_568, sockets: 10, listeningSockets: 1, pipes: 1_500, highestFd: 1_570,
                              lowestFreeFd: 7, holes: [7, 300, 1_000], holeCount: 3)
        let data = try AoftopJSON.encoder().encode(census)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"holes\":[7,300,1000]"))
        #expect(text.contains("\"hole_count\":3"))
        let decoded = try AoftopJSON.decoder().decode(FdCensus.self, from: data)
        #expect(decoded == census)
        #expect(decoded.freeFds(below: 192) == 1)
        #expect(decoded.freeFds(below: 1_001) == 3)
    }

    @Test func aCensusWithoutRequiredKeysStillFails() {
        #expect(throws: DecodingError.self) {
            try AoftopJSON.decoder().decode(FdCensus.self, from: Data("{\"total\":3}".utf8))
        }
    }
}
