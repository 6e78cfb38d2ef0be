import Foundation
import ZhengsheApplication
import ZhengsheDomain
import ZhengsheProjections

/// The two-way report as JSON, byte for byte what `JSONEncoder` makes of
/// `Components.Schemas.TwoWayReport` with this API's conventions (keys sorted, slashes unescaped),
/// but written in a tenth of the time.
///
/// The evidence is almost all of it: for a city of 1,000 committees, half a million entries and
/// some 60 MB, where Foundation's encoder (which builds a tree of every value, then sorts each
/// object's keys) spent 1.5 s. So the report is encoded without evidence — a skeleton of a few
/// megabytes, through the generated types as every other answer — and each component's
/// `"evidence":[]` is then filled in by ``appendEvidence(_:to:)``, which writes the six keys of an
/// entry in their sorted order. The marker cannot occur inside a string (a quote there is
/// escaped), and the lists are taken in the order the encoder writes the components: agreement by
/// agreement, `committeeScore` before `governmentScore`, each component in its order.
/// `TwoWayReportTests` checks the bytes against `JSONEncoder`'s.
enum TwoWayJSON {
    static let marker = Array(#""evidence":[]"#.utf8)

    static func encode(_ report: TwoWayReports.Report) throws -> Data {
        try encode(report, skeleton: Components.Schemas.TwoWayReport(report, evidence: false))
    }

    /// `skeleton` is `report` without its evidence.
    static func encode(_ report: TwoWayReports.Report, skeleton: Components.Schemas.TwoWayReport) throws -> Data {
        let bare = [UInt8](try APIJSON.encoder.encode(skeleton))
        var lists: [[TwoWayReports.Evidence]] = []
        for agreement in report.agreements {
            for (side, score) in [(Side.committee, agreement.committeeScore), (.government, agreement.governmentScore)] {
                for component in score.components { lists.append(agreement.evidence(side, component.componentId)) }
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bare.count + lists.reduce(0) { $0 + $1.count } * 160)
        var copied = 0
        var filled = 0
        for found in occurrences(of: marker, in: bare) {
            guard filled < lists.count else { throw Mismatch() }
            out.append(contentsOf: bare[copied..<found])
            out.append(contentsOf: #""evidence":"#.utf8)
            appendEvidence(lists[filled], to: &out)
            filled += 1
            copied = found + marker.count
        }
        guard filled == lists.count else { throw Mismatch() }
        out.append(contentsOf: bare[copied...])
        return Data(out)
    }

    /// Where `needle` starts in `haystack`, each time, left to right (it does not overlap itself).
    static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> [Int] {
        var found: [Int] = []
        guard let first = needle.first, haystack.count >= needle.count else { return found }
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<index + needle.count].elementsEqual(needle) {
                found.append(index)
                index += needle.count
            } else {
                index += 1
            }
        }
        return found
    }

    /// The skeleton did not have one empty evidence list per component: a change in the contract
    /// that this writer has not followed.
    struct Mismatch: Error {}

    /// `[{"counts":…,"eventId":…,"on":…,"stream":…,"streamVersion":…,"type":…},…]`
    static func appendEvidence(_ list: [TwoWayReports.Evidence], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, e) in list.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"counts":"#.utf8)
            out.append(contentsOf: e.counts ? "true".utf8 : "false".utf8)
            out.append(contentsOf: #","eventId":""#.utf8)
            appendUUID(e.eventId, to: &out)
            out.append(contentsOf: #"","on":""#.utf8)
            appendDate(e.on, to: &out)
            out.append(contentsOf: #"","stream":"#.utf8)
            appendString(e.stream, to: &out)
            out.append(contentsOf: #","streamVersion":"#.utf8)
            out.append(contentsOf: String(e.streamVersion).utf8)
            out.append(contentsOf: #","type":"#.utf8)
            appendString(e.type, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    static let hex = Array("0123456789abcdef".utf8)

    /// Lower case, as the API writes event ids everywhere.
    static func appendUUID(_ id: UUID, to out: inout [UInt8]) {
        withUnsafeBytes(of: id.uuid) { bytes in
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { out.append(UInt8(ascii: "-")) }
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
    }

    static func appendDate(_ date: LocalDate, to out: inout [UInt8]) {
        func digits(_ value: Int, _ count: Int) {
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(date.year, 4)
        out.append(UInt8(ascii: "-"))
        digits(date.month, 2)
        out.append(UInt8(ascii: "-"))
        digits(date.day, 2)
    }

    /// A JSON string as Foundation's encoder writes it with `.withoutEscapingSlashes`.
    static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Stream names and event types never need escaping: copied whole.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x08: out.append(contentsOf: #"\b"#.utf8)
            case 0x0C: out.append(contentsOf: #"\f"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case ..<0x20:
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
