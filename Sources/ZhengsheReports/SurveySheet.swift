import CSV
import Foundation
public import ZhengsheDomain

/// The survey frame's CSV filled in by the third party (满意度调查结果表), read back into survey
/// results: one committee a row, the respondents' make-up and the answers about each side.
///
/// Lines are the sheet's rows as a spreadsheet numbers them, the header being line 1. Every
/// problem of the sheet is reported at once, each by its line and column; a sheet with any problem
/// yields no results.
public enum SurveySheet {
    /// A cell, a row or the sheet that cannot be read.
    public struct Problem: Sendable, Hashable {
        public var line: Int
        /// The column's field name (`ordinaryResidents`), when one cell is at fault.
        public var column: String?
        /// The column's place, from 1 (A = 1 in a spreadsheet).
        public var columnNumber: Int?
        public var rule: String
        public var message: String
    }

    /// One committee's results and the line they came from.
    public struct Row: Sendable, Hashable {
        public var line: Int
        public var results: SurveyResultsSubmitted
    }

    public struct Problems: Error, Sendable {
        public var problems: [Problem]
    }

    /// The columns the results are read from (the frame's, by field name).
    static let counts = [
        "ordinaryResidents", "representatives", "others",
        "committee.satisfied", "committee.basicallySatisfied", "committee.dissatisfied",
        "government.satisfied", "government.basicallySatisfied", "government.dissatisfied",
    ]

    /// The plausible range of a count, as the evaluation's rules take it.
    static let plausible = 0...1_000_000

    /// The results of every row with results filled in; rows left empty (committees not surveyed)
    /// are skipped.
    public static func read(_ text: String) throws(Problems) -> [Row] {
        var text = Substring(text)
        if text.first == "\u{FEFF}" { text = text.dropFirst() }
        let reader: CSVReader
        do { reader = try CSVReader(string: String(text), hasHeaderRow: false) } catch {
            throw Problems(problems: [Problem(line: 1, rule: "csv", message: "the sheet cannot be read as CSV: \(error) (无法读取CSV)")])
        }
        guard let header = reader.next() else {
            throw Problems(problems: [Problem(line: 1, rule: "csv-header", message: "the sheet is empty; upload the survey frame's CSV filled in (表格为空)")])
        }
        // A header cell is "field 中文"; the field name comes first.
        let names = header.map { String($0.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") }
        var column: [String: Int] = [:]
        for (n, name) in names.enumerated() where column[name] == nil { column[name] = n }
        var problems: [Problem] = []
        for name in ["committee"] + counts where column[name] == nil {
            problems.append(Problem(line: 1, column: name, rule: "csv-header",
                                    message: "the header has no \(name) column; keep the survey frame's header row as it is (缺少列 \(name))"))
        }
        guard problems.isEmpty else { throw Problems(problems: problems) }

        var rows: [Row] = []
        var seen: [String: Int] = [:]
        var line = 1
        while let cells = reader.next() {
            line += 1
            func cell(_ name: String) -> String {
                let n = column[name]!
                return n < cells.count ? cells[n].trimmingCharacters(in: .whitespaces) : ""
            }
            func problem(_ name: String?, _ rule: String, _ message: String) {
                problems.append(Problem(line: line, column: name, columnNumber: name.flatMap { column[$0] }.map { $0 + 1 }, rule: rule, message: message))
            }
            if cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            // A committee not surveyed is left empty: nothing to record for it.
            if counts.allSatisfy({ cell($0).isEmpty }) { continue }
            let committee = cell("committee")
            if PartyCode(committee)?.level != .committee {
                problem("committee", "committee-code", "'\(committee)' is not a committee's 12-digit code (居委会代码应为12位数字)")
            } else if let first = seen[committee] {
                problem("committee", "duplicate-row", "committee \(committee) already has results on line \(first) (同一居委会重复)")
            } else {
                seen[committee] = line
            }
            var values: [String: Int] = [:]
            for name in counts {
                let text = cell(name)
                if text.isEmpty {
                    problem(name, "required", "\(name) is empty; give a whole number, 0 if none (不能为空)")
                } else if let value = Int(text), plausible.contains(value) {
                    values[name] = value
                } else {
                    problem(name, "count", "'\(text)' is not a whole number from 0 to 1,000,000 (应为非负整数)")
                }
            }
            guard values.count == counts.count, PartyCode(committee)?.level == .committee else { continue }
            var questions: [SurveyResultsSubmitted.Question] = []
            for side in [Side.committee, .government] {
                let (satisfied, basically, dissatisfied) = (values["\(side.rawValue).satisfied"]!, values["\(side.rawValue).basicallySatisfied"]!,
                                                            values["\(side.rawValue).dissatisfied"]!)
                // A side nobody was asked about is left at 0: no question about it.
                guard satisfied + basically + dissatisfied > 0 else { continue }
                questions.append(.init(
                    questionId: side.rawValue, about: side, text: side == .committee ? "对居(村)委会工作的总体评价" : "对街道(镇)工作的总体评价",
                    satisfied: satisfied, basicallySatisfied: basically, dissatisfied: dissatisfied))
            }
            rows.append(Row(line: line, results: SurveyResultsSubmitted(
                committee: committee,
                respondents: .init(ordinaryResidents: values["ordinaryResidents"]!, representatives: values["representatives"]!, others: values["others"]!),
                questions: questions)))
        }
        if let error = reader.error {
            problems.append(Problem(line: line + 1, rule: "csv", message: "the sheet cannot be read as CSV after line \(line): \(error) (CSV格式有误)"))
        }
        if problems.isEmpty, rows.isEmpty {
            problems.append(Problem(line: 1, rule: "no-results", message: "no row has results filled in (表格中没有调查结果)"))
        }
        guard problems.isEmpty else { throw Problems(problems: problems) }
        return rows
    }

    /// The column a survey filing's field (a JSON pointer into its data) was read from, so that a
    /// rule the evaluation refuses a row by points at the cell.
    public static func column(for field: String, of results: SurveyResultsSubmitted) -> String? {
        let parts = field.split(separator: "/").map(String.init)
        guard parts.first == "data", parts.count >= 2 else { return nil }
        switch parts[1] {
        case "committee": return "committee"
        case "respondents": return parts.count > 2 ? parts[2] : "ordinaryResidents"
        case "questions":
            guard parts.count > 2, let n = Int(parts[2]), results.questions.indices.contains(n) else { return nil }
            let side = results.questions[n].about.rawValue
            return parts.count > 3 && counts.contains("\(side).\(parts[3])") ? "\(side).\(parts[3])" : "\(side).satisfied"
        default: return nil
        }
    }

    /// The column's place, from 1, in the frame's layout.
    public static func columnNumber(_ name: String) -> Int? {
        TwoWayCSV.frameColumns.firstIndex { $0.0 == name }.map { $0 + 1 }
    }
}
