import Foundation
import ZhengsheStore

/// Small builders for store tests.
enum Fixture {
    static let metadata = EventMetadata(actor: "test", role: "system", party: "", requestId: "test")

    /// A stream of its own for each test, so tests never share rows.
    static func stream(_ category: String = "test") throws -> StreamID {
        try StreamID(category: category, id: UUID().uuidString.lowercased())
    }

    static func event(_ type: String = "SomethingHappened", _ body: [String: Any] = ["n": 1], id: UUID = UUID(), at date: Date = Date(timeIntervalSince1970: 1_780_000_000)) -> NewEvent {
        let data = try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        return NewEvent(id: id, type: type, occurredAt: date, data: data, metadata: metadata)
    }

    static func events(_ count: Int, tag: String = "") -> [NewEvent] {
        (0..<count).map { event("SomethingHappened", ["n": $0, "tag": tag]) }
    }
}
