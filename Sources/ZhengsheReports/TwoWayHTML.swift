public import ZhengsheApplication
import Foundation
import Mustache
import ZhengsheDomain
import ZhengsheProjections

/// The two-way report as a printable page in Chinese (双向评估报告): a cover with the district's
/// summary and charts, one section per street or town (each on a new A4 page) with its
/// committees ranked, every agreement's components and settlement, and the events behind every
/// figure. One self-contained file: inline SVG charts, no scripts, no external assets.
///
/// The page is laid out by `two-way-report.mustache`; everything filed by users reaches it
/// through Mustache's escaping. The charts are drawn here, from numbers and escaped labels.
public enum TwoWayHTML {
    /// The templates compiled into the target, by name without `.mustache`.
    static let library: MustacheLibrary = {
        var templates: [String: MustacheTemplate] = [:]
        for file in EmbeddedTemplates.files {
            do {
                templates[String(file.name.dropLast(".mustache".count))] = try MustacheTemplate(string: file.text)
            } catch {
                preconditionFailure("\(file.name) does not parse: \(error)")
            }
        }
        return MustacheLibrary(templates: templates)
    }()

    /// The page for `report`. `historyBase` prefixes the agreement history links (the service's
    /// address, or empty for links relative to it).
    public static func render(_ report: TwoWayReports.Report, historyBase: String = "") -> String {
        library.render(context(report, historyBase: historyBase), withTemplate: "two-way-report") ?? ""
    }

    static func context(_ report: TwoWayReports.Report, historyBase: String) -> [String: Any] {
        let summary = report.summary(of: report.agreements)
        let streets = report.streets
        let grades = report.scheme.grades.map(\.name)
        let late = Dictionary(grouping: report.lateFilings, by: \.agreement)
        let status: String =
            switch report.status {
            case .finalized: "已定稿（第 \(report.evaluationVersion) 版）"
            case .open: "评估中（第 \(report.evaluationVersion) 版，预览）"
            case .notOpened: "尚未启动（按默认方案预览）"
            }
        let streetRows: [[String: Any]] = streets
            .sorted { ($1.summary.committeeAverage, $0.government) < ($0.summary.committeeAverage, $1.government) }
            .enumerated().map { rank, street in
                [
                    "rank": rank + 1, "government": street.government, "agreements": street.summary.agreements,
                    "committeeAverage": score(street.summary.committeeAverage), "governmentAverage": score(street.summary.governmentAverage),
                    "released": amount(street.summary.released), "withheld": amount(street.summary.withheld),
                ]
            }
        return [
            "district": report.district.rawValue,
            "year": report.year,
            "status": status,
            "finalized": report.status == .finalized,
            "asOf": report.asOf.description,
            "knownAt": timestamp(report.knownAt),
            "filingCutoff": report.filingCutoff?.description ?? "",
            "scheme": report.scheme.description,
            "schemeId": report.scheme.schemeId,
            "agreements": summary.agreements,
            "committeeAverage": score(summary.committeeAverage),
            "governmentAverage": score(summary.governmentAverage),
            "released": wan(summary.released),
            "withheld": wan(summary.withheld),
            "gradeChart": gradeChart(grades: grades, committee: summary.committeeGrades, government: summary.governmentGrades),
            "componentChart": componentChart(report.scheme, summary),
            "streetChart": streetChart(streets),
            "streetRanking": streetRows,
            "gradeTable": grades.map { ["grade": $0, "committee": summary.committeeGrades[$0] ?? 0, "government": summary.governmentGrades[$0] ?? 0] },
            "weakest": weakest(summary),
            "departments": report.departments.map {
                ["name": $0.name, "tasks": $0.tasks, "committees": $0.committees, "governments": $0.governments.joined(separator: "、")]
            },
            "hasDepartments": !report.departments.isEmpty,
            "committeeComponents": components(report.scheme.committee),
            "governmentComponents": components(report.scheme.government),
            "gradeRules": report.scheme.grades.map { grade in
                ["name": grade.name, "minimum": grade.minimum, "release": report.scheme.releasePercent(for: grade.name)]
            },
            "survey": "每个居(村)委会至少 \(report.scheme.survey.minimumRespondents) 名受访者，其中普通居民不少于 \(report.scheme.survey.minimumOrdinaryPercent)%",
            "lateFilings": report.lateFilings.map {
                ["agreement": $0.agreement, "type": $0.type, "on": $0.on.description, "recordedAt": timestamp($0.recordedAt),
                 "version": $0.streamVersion, "eventId": $0.eventId.uuidString.lowercased(),
                 "link": "\(historyBase)/v1/agreements/\($0.agreement)/events?from=\($0.streamVersion)&limit=1"]
            },
            "hasLateFilings": !report.lateFilings.isEmpty,
            "streets": streets.map { street in
                let results = report.agreements.filter { $0.government == street.government }
                    .sorted { ($1.committeeScore.total, $0.committee) < ($0.committeeScore.total, $1.committee) }
                return [
                    "government": street.government,
                    "agreements": street.summary.agreements,
                    "committeeAverage": score(street.summary.committeeAverage),
                    "governmentAverage": score(street.summary.governmentAverage),
                    "released": wan(street.summary.released),
                    "withheld": wan(street.summary.withheld),
                    "gradeChart": gradeChart(grades: grades, committee: street.summary.committeeGrades, government: street.summary.governmentGrades),
                    "weakest": weakest(street.summary),
                    "ranking": results.enumerated().map { rank, a in
                        [
                            "rank": rank + 1, "committee": a.committee, "agreement": a.agreement,
                            "committeeTotal": score(a.committeeScore.total), "committeeGrade": a.committeeScore.grade,
                            "governmentTotal": score(a.governmentScore.total), "governmentGrade": a.governmentScore.grade,
                            "payable": amount(a.settlement.payable), "stillDue": amount(a.settlement.stillDue),
                        ] as [String: Any]
                    },
                    "results": results.map { agreement($0, scheme: report.scheme, late: late[$0.agreement] ?? [], historyBase: historyBase) },
                ] as [String: Any]
            },
        ]
    }

    static func agreement(_ a: TwoWayReports.AgreementResult, scheme: ScoringScheme, late: [ReportObligations.LateFiling], historyBase: String) -> [String: Any] {
        let history = "\(historyBase)/v1/agreements/\(a.agreement)/events"
        func side(_ s: SideScore) -> [[String: Any]] {
            let defined = s.side == .committee ? scheme.committee : scheme.government
            return s.components.map { c in
                let rule = defined.first { $0.componentId == c.componentId }
                let evidence = a.evidence(s.side, c.componentId)
                let counted = evidence.filter(\.counts)
                let notCounted = evidence.filter { !$0.counts }
                return [
                    "title": c.title, "weight": c.weight, "score": c.score.map(score) ?? "未提交", "missing": c.score == nil,
                    "points": score(c.points), "basis": basis(c, rule, s.side, a.inputs),
                    "evidenceCount": evidence.count,
                    "counted": places(counted), "notCounted": listed(notCounted),
                    "hasCounted": !counted.isEmpty, "hasNotCounted": !notCounted.isEmpty, "hasEvidence": !evidence.isEmpty,
                ]
            }
        }
        let s = a.settlement
        return [
            "agreement": a.agreement, "committee": a.committee, "history": history,
            "committeeTotal": score(a.committeeScore.total), "committeeGrade": a.committeeScore.grade,
            "governmentTotal": score(a.governmentScore.total), "governmentGrade": a.governmentScore.grade,
            "committeeComponents": side(a.committeeScore), "governmentComponents": side(a.governmentScore),
            "promised": amount(s.promised), "releasePercent": s.releasePercent, "released": amount(s.released), "withheld": amount(s.withheld),
            "deducted": amount(s.deducted), "payable": amount(s.payable), "transferred": amount(s.transferred),
            "stillDue": amount(s.stillDue), "overpaid": amount(s.overpaid), "hasOverpaid": s.overpaid > 0,
            "late": late.map { ["type": $0.type, "on": $0.on.description, "version": $0.streamVersion] },
            "hasLate": !late.isEmpty,
        ]
    }

    /// Events that counted, by their place in the agreement's (or the evaluation's) history: `#3 #5 评估记录#12`.
    /// Written here rather than looped over in the template: a city's report lists hundreds of thousands.
    static func places(_ evidence: [TwoWayReports.Evidence]) -> String {
        var text = ""
        text.reserveCapacity(evidence.count * 5)
        for e in evidence {
            if !text.isEmpty { text += " " }
            if e.stream.hasPrefix("evaluation-") { text += "评估记录" }
            text += "#" + String(e.streamVersion)
        }
        return text
    }

    /// Events that did not count, each with its type and date: `#12 DutyReported 2026-10-05；`.
    static func listed(_ evidence: [TwoWayReports.Evidence]) -> String {
        evidence.map { "#\($0.streamVersion) \($0.type) \($0.on)" }.joined(separator: "；")
    }

    static func components(_ components: [ScoringScheme.Component]) -> [[String: Any]] {
        components.map { c in
            var rule = formulaText[c.formula] ?? c.formula.rawValue
            if c.formula.isDeduction { rule += "：每次扣 \(c.pointsEach ?? 0) 分，最低 \(c.floor ?? 0) 分" }
            return ["title": c.title, "weight": c.weight, "rule": rule]
        }
    }

    /// Each formula in words, as README.md gives them.
    static let formulaText: [ScoringScheme.Formula: String] = [
        .reportsVerifiedOnTime: "到期履职报告中按期报送并经核验通过的比例",
        .installmentsPaidOnTime: "到期经费分期中按期足额拨付的比例（以到账日计）",
        .commitmentsGiven: "指导、培训承诺中已有相应指导记录的比例",
        .unadmittedTasksDeduction: "100 分起，未经准入摊派并被拒绝的事项逐项扣分",
        .claimsUpheldDeduction: "100 分起，被认定（含部分认定）违约的申诉逐项扣分",
        .assessment: "对方评分：街道对居委会的评分，或居委会对街道四个维度评分的平均",
        .surveySatisfaction: "第三方调查中对该方“满意”与“基本满意”的回答占比",
    ]

    /// How the component's score was reached, in Chinese: the same counts as the JSON's `basis`.
    static func basis(_ c: SideScore.Component, _ rule: ScoringScheme.Component?, _ side: Side, _ i: ScoringInputs) -> String {
        func deduction(_ count: Int, _ what: String) -> String {
            "\(what) \(count) 项，每项扣 \(rule?.pointsEach ?? 0) 分，最低 \(rule?.floor ?? 0) 分"
        }
        switch c.formula {
        case .reportsVerifiedOnTime:
            return i.reportsDue == 0 ? "没有到期的履职报告" : "到期报告 \(i.reportsDue) 份，按期报送并核验通过 \(i.reportsVerifiedOnTime) 份"
        case .installmentsPaidOnTime:
            return i.installmentsDue == 0 ? "没有到期的经费分期" : "到期分期 \(i.installmentsDue) 期，按期足额拨付 \(i.installmentsPaidOnTime) 期"
        case .commitmentsGiven:
            return i.commitmentsPromised == 0 ? "没有指导、培训承诺" : "指导、培训承诺 \(i.commitmentsPromised) 项，已有指导记录 \(i.commitmentsGiven) 项"
        case .unadmittedTasksDeduction:
            return deduction(i.unadmittedTasks, "未经准入摊派")
        case .claimsUpheldDeduction:
            return deduction(side == .committee ? i.claimsUpheldAgainstCommittee : i.claimsUpheldAgainstGovernment, "被认定违约")
        case .assessment:
            if side == .committee {
                return i.committeeAssessment.map { "街道(镇)评分 \($0)" } ?? "街道(镇)未提交评分，按 0 分计"
            }
            guard let g = i.governmentAssessment else { return "居(村)委会未提交评分，按 0 分计" }
            return "行政指导 \(g.guidance.score)、行政服务 \(g.service.score)、行政干预 \(g.interference.score)、资金支付 \(g.funding.score) 的平均"
        case .surveySatisfaction:
            guard let survey = i.survey else { return "未提交满意度调查，按 0 分计" }
            let questions = survey.questions.filter { $0.about == side }
            let answers = questions.reduce(0) { $0 + $1.answers }
            guard answers > 0 else { return "调查未涉及此方，按 0 分计" }
            let positive = questions.reduce(0) { $0 + $1.satisfied + $1.basicallySatisfied }
            return "\(answers) 个回答中满意或基本满意 \(positive) 个（受访 \(survey.respondents.total) 人）"
        }
    }

    // MARK: Charts (inline SVG)

    static let committeeColour = "#2f6f9f"
    static let governmentColour = "#c0713a"

    /// Bars of agreements per grade, the committees' and the governments' side by side.
    static func gradeChart(grades: [String], committee: [String: Int], government: [String: Int]) -> String {
        let width = 520.0, height = 210.0, top = 28.0, bottom = 30.0, left = 36.0
        let most = max(1, (grades.map { committee[$0] ?? 0 } + grades.map { government[$0] ?? 0 }).max() ?? 1)
        let slot = (width - left - 10) / Double(max(grades.count, 1))
        let bar = min(36, slot / 3)
        let plot = height - top - bottom
        var svg = svgOpen(width, height, label: "等次分布")
        svg += legend(x: left, y: 14)
        for tick in axisTicks(most) {
            let y = top + plot - plot * Double(tick) / Double(most)
            svg += ##"<line x1="\##(left)" y1="\##(f(y))" x2="\##(width - 10)" y2="\##(f(y))" stroke="#ddd" stroke-width="0.6"/>"##
            svg += ##"<text x="\##(left - 4)" y="\##(f(y + 3))" font-size="9" text-anchor="end" fill="#555">\##(tick)</text>"##
        }
        for (n, grade) in grades.enumerated() {
            let x = left + slot * Double(n) + slot / 2
            for (offset, count, colour) in [(-bar - 1, committee[grade] ?? 0, committeeColour), (1, government[grade] ?? 0, governmentColour)] {
                let h = plot * Double(count) / Double(most)
                svg += ##"<rect x="\##(f(x + offset))" y="\##(f(top + plot - h))" width="\##(f(bar))" height="\##(f(h))" fill="\##(colour)"/>"##
                svg += ##"<text x="\##(f(x + offset + bar / 2))" y="\##(f(top + plot - h - 3))" font-size="9" text-anchor="middle" fill="#222">\##(count)</text>"##
            }
            svg += ##"<text x="\##(f(x))" y="\##(f(height - bottom + 16))" font-size="11" text-anchor="middle" fill="#222">\##(escape(grade))</text>"##
        }
        return svg + "</svg>"
    }

    /// Each component's mean score (0–100) across the agreements, both sides, in the scheme's order.
    static func componentChart(_ scheme: ScoringScheme, _ summary: TwoWayReports.Report.Summary) -> String {
        func average(_ side: Side, _ id: String) -> Double { summary.components.first { $0.side == side && $0.componentId == id }?.average ?? 0 }
        let rows: [(String, Double, String)] =
            scheme.committee.map { ("居委会·" + $0.title, average(.committee, $0.componentId), committeeColour) }
            + scheme.government.map { ("街道·" + $0.title, average(.government, $0.componentId), governmentColour) }
        return horizontalBars(rows, label: "各评分项平均得分")
    }

    /// Each street's or town's mean totals, both sides, best committee average first.
    static func streetChart(_ streets: [(government: String, summary: TwoWayReports.Report.Summary)]) -> String {
        let sorted = streets.sorted { ($1.summary.committeeAverage, $0.government) < ($0.summary.committeeAverage, $1.government) }
        var rows: [(String, Double, String)] = []
        for street in sorted {
            rows.append((street.government + " 居委会", street.summary.committeeAverage, committeeColour))
            rows.append((street.government + " 街道", street.summary.governmentAverage, governmentColour))
        }
        return horizontalBars(rows, label: "街道(镇)排名")
    }

    static func horizontalBars(_ rows: [(label: String, value: Double, colour: String)], label: String) -> String {
        let width = 520.0, row = 17.0, left = 170.0, right = 44.0, top = 8.0
        let height = top + row * Double(rows.count) + 22
        var svg = svgOpen(width, height, label: label)
        let span = width - left - right
        for tick in stride(from: 0, through: 100, by: 20) {
            let x = left + span * Double(tick) / 100
            svg += ##"<line x1="\##(f(x))" y1="\##(top)" x2="\##(f(x))" y2="\##(f(height - 18))" stroke="#ddd" stroke-width="0.6"/>"##
            svg += ##"<text x="\##(f(x))" y="\##(f(height - 6))" font-size="9" text-anchor="middle" fill="#555">\##(tick)</text>"##
        }
        for (n, r) in rows.enumerated() {
            let y = top + row * Double(n)
            let w = span * min(max(r.value, 0), 100) / 100
            svg += ##"<text x="\##(left - 6)" y="\##(f(y + 12))" font-size="10" text-anchor="end" fill="#222">\##(escape(r.label))</text>"##
            svg += ##"<rect x="\##(left)" y="\##(f(y + 3))" width="\##(f(w))" height="\##(f(row - 6))" fill="\##(r.colour)"/>"##
            svg += ##"<text x="\##(f(left + w + 4))" y="\##(f(y + 12))" font-size="9" fill="#222">\##(score(r.value))</text>"##
        }
        return svg + "</svg>"
    }

    static func svgOpen(_ width: Double, _ height: Double, label: String) -> String {
        ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(f(width)) \##(f(height))" width="100%" role="img" aria-label="\##(escape(label))" font-family="'Noto Sans CJK SC', 'Noto Sans SC', sans-serif">"##
    }

    static func legend(x: Double, y: Double) -> String {
        ##"<rect x="\##(x)" y="\##(y - 8)" width="10" height="10" fill="\##(committeeColour)"/><text x="\##(x + 14)" y="\##(y)" font-size="10">居(村)委会</text>"##
            + ##"<rect x="\##(x + 80)" y="\##(y - 8)" width="10" height="10" fill="\##(governmentColour)"/><text x="\##(x + 94)" y="\##(y)" font-size="10">街道(镇)</text>"##
    }

    static func axisTicks(_ most: Int) -> [Int] {
        let step = max(1, Int((Double(most) / 4).rounded(.up)))
        return Array(stride(from: 0, through: most, by: step))
    }

    // MARK: Figures

    /// The components with the lowest mean score, up to three, both sides together.
    static func weakest(_ summary: TwoWayReports.Report.Summary) -> [[String: Any]] {
        summary.components.prefix(3).map { ["side": $0.side == .committee ? "居(村)委会" : "街道(镇)", "title": $0.title, "average": score($0.average)] }
    }

    static func score(_ value: Double) -> String { String(format: "%.2f", value) }

    /// Fen as 万元 with two decimals, for the headline figures: 3261512000 → 3,261.51 万元.
    static func wan(_ fen: Int64) -> String {
        let hundredths = fen / 10_000
        return yuan(hundredths).replacingOccurrences(of: " 元", with: " 万元")
    }

    /// Fen as yuan with thousands separators, for tables whose header names the unit: 1234567 → 12,345.67.
    static func amount(_ fen: Int64) -> String { String(yuan(fen).dropLast(2)) }

    /// Fen as yuan with thousands separators: 1234567 → 12,345.67 元.
    static func yuan(_ fen: Int64) -> String {
        let negative = fen < 0
        let magnitude = fen.magnitude
        var whole = String(magnitude / 100)
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole.removeLast(3)
        }
        let cents = magnitude % 100
        return (negative ? "-" : "") + whole + grouped + "." + (cents < 10 ? "0" : "") + String(cents) + " 元"
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = LocalDate.timeZone
        return calendar
    }()

    static func timestamp(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
