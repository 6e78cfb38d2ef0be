public import ZhengsheApplication
import Foundation
import ZhengsheDomain
import ZhengsheProjections

/// The two-way report and the survey frame as CSV for Excel (UTF-8 with a byte-order mark,
/// Chinese headers).
public enum TwoWayCSV {
    /// One line per agreement: both sides' components (the scheme's, in its order), totals and
    /// grades, the settlement of the committee's funding, and the events behind each side's
    /// scores and the late filings, by event id.
    public static func report(_ report: TwoWayReports.Report) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "" }
        let scheme = report.scheme
        var columns: [(String, String)] = [("agreement", "协议"), ("government", "街道/镇"), ("committee", "居(村)委会")]
        for component in scheme.committee { columns.append(("committee.\(component.componentId)", "居委会·\(component.title)")) }
        columns += [("committeeTotal", "居委会得分"), ("committeeGrade", "居委会等次")]
        for component in scheme.government { columns.append(("government.\(component.componentId)", "街道·\(component.title)")) }
        columns += [("governmentTotal", "街道得分"), ("governmentGrade", "街道等次"), ("missing", "缺少的评分材料")]
        columns += [("promised", "承诺经费(分)"), ("releasePercent", "拨付比例(%)"), ("released", "应拨(分)"), ("withheld", "扣留(分)")]
        columns += [("deducted", "违约扣减(分)"), ("payable", "应付(分)"), ("transferred", "已拨(分)"), ("stillDue", "尚欠(分)"), ("overpaid", "多拨(分)")]
        columns += [("committee.evidence", "居委会评分依据(事件编号)"), ("government.evidence", "街道评分依据(事件编号)"), ("lateFilings", "迟报事件(未计分)")]
        let late = Dictionary(grouping: report.lateFilings, by: \.agreement)
        var table = CSVTable(columns: columns)
        for a in report.agreements {
            let s = a.settlement
            let missing: [String] = a.committeeScore.missing.map { "committee.\($0)" } + a.governmentScore.missing.map { "government.\($0)" }
            var row: [String] = [a.agreement, a.government, a.committee]
            row += a.committeeScore.components.map { number($0.score) }
            row += [number(a.committeeScore.total), a.committeeScore.grade]
            row += a.governmentScore.components.map { number($0.score) }
            row += [number(a.governmentScore.total), a.governmentScore.grade, missing.joined(separator: " ")]
            let money: [Int64] = [s.promised, Int64(s.releasePercent), s.released, s.withheld, s.deducted, s.payable, s.transferred, s.stillDue, s.overpaid]
            row += money.map { String($0) }
            for score in [a.committeeScore, a.governmentScore] {
                row.append(score.components.map { component in
                    let ids = a.evidence(score.side, component.componentId).map { $0.eventId.uuidString.lowercased() }
                    return "\(component.componentId): \(ids.joined(separator: " "))"
                }.joined(separator: "; "))
            }
            row.append((late[a.agreement] ?? []).map { $0.eventId.uuidString.lowercased() }.joined(separator: " "))
            table.append(row)
        }
        return table.text
    }

    /// The frame's columns, in order: what the third party is given, then what it fills in.
    static let frameColumns: [(String, String)] = [
        ("committee", "居(村)委会"), ("government", "街道/镇"), ("agreement", "协议"), ("items", "协助事项"), ("commitments", "政府承诺事项"),
        ("minimumRespondents", "最少样本数"), ("minimumOrdinaryPercent", "普通居民最低占比(%)"),
        ("ordinaryResidents", "普通居民人数"), ("representatives", "居民代表人数"), ("others", "其他人数"),
        ("committee.satisfied", "对居委会·满意"), ("committee.basicallySatisfied", "对居委会·基本满意"), ("committee.dissatisfied", "对居委会·不满意"),
        ("government.satisfied", "对街道·满意"), ("government.basicallySatisfied", "对街道·基本满意"), ("government.dissatisfied", "对街道·不满意"),
    ]

    /// One line per committee: what to ask about and the sample to reach, then empty columns for
    /// the third party to fill in (the respondents' make-up and the answers about each side).
    /// ``SurveySheet`` reads it back filled in.
    public static func frame(_ frame: TwoWayReports.Frame) -> String {
        var table = CSVTable(columns: frameColumns)
        for t in frame.committees {
            var row = [t.committee, t.government, t.agreement, t.items.map(\.title).joined(separator: "；"), t.commitments.map(\.description).joined(separator: "；")]
            row += [String(frame.survey.minimumRespondents), String(frame.survey.minimumOrdinaryPercent)]
            row += Array(repeating: "", count: 9)
            table.append(row)
        }
        return table.text
    }
}
