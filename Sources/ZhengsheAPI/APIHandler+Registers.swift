import Foundation
import OpenAPIRuntime
import ZhengsheApplication
import ZhengsheDomain
import ZhengsheProjections
import ZhengsheReports

/// The district's registers: breach claims and refused tasks.
extension APIHandler {
    func getClaimsRegister(_ input: Operations.GetClaimsRegister.Input) async throws -> Operations.GetClaimsRegister.Output {
        let (_, actor) = try AppRequestContext.requireActor()
        let q = input.query
        let (offset, limit) = (q.offset ?? 0, q.limit ?? 100)
        let query = try Self.readQuery(year: q.year, asOf: q.asOf, knownAt: q.knownAt, minPosition: q.minPosition, offset: offset, limit: limit)
        let answer = try await services.registers.claims(input.path.district, query, for: actor)
        let shown = answer.entries.filter { q.status == nil || $0.state.rawValue == q.status?.rawValue }
        if Self.wantsCSV(q.format?.rawValue, input.headers.accept.map(\.contentType.rawValue)) {
            var table = CSVTable(columns: [
                ("agreement", "协议"), ("government", "街道/镇"), ("committee", "居(村)委会"), ("claimId", "申诉编号"), ("claimant", "申诉方"),
                ("clauseId", "违约条款"), ("description", "申诉事由"), ("deductionCap", "扣减上限(分)"), ("state", "状态"), ("outcome", "裁定结果"),
                ("deduction", "扣减(分)"), ("rectificationDeadline", "整改期限"), ("mustAct", "待办方"), ("filedOn", "申诉日期"), ("settledOn", "裁定日期"),
            ])
            for c in shown {
                table.append([c.agreement, c.government, c.committee, c.claimId, c.claimant, c.clauseId, c.description, String(c.deductionCap), c.state.rawValue,
                              c.outcome ?? "", c.deduction.map(String.init) ?? "", c.rectificationDeadline?.description ?? "", c.mustAct ?? "",
                              c.filedOn.description, c.settledOn?.description ?? ""])
            }
            return .ok(.init(body: .csv(HTTPBody(table.text))))
        }
        let body = Components.Schemas.ClaimsRegister(
            district: input.path.district, year: q.year, asOf: answer.asOf.description, knownAt: answer.knownAt,
            claims: try shown.dropFirst(offset).prefix(limit).map(Components.Schemas.ClaimEntry.init),
            page: .init(offset: offset, limit: limit, total: shown.count))
        return .ok(.init(body: .json(body)))
    }

    func getRefusalsRegister(_ input: Operations.GetRefusalsRegister.Input) async throws -> Operations.GetRefusalsRegister.Output {
        let (_, actor) = try AppRequestContext.requireActor()
        let q = input.query
        let (offset, limit) = (q.offset ?? 0, q.limit ?? 100)
        let query = try Self.readQuery(year: q.year, asOf: q.asOf, knownAt: q.knownAt, minPosition: q.minPosition, offset: offset, limit: limit)
        let answer = try await services.registers.refusals(input.path.district, query, for: actor)
        if Self.wantsCSV(q.format?.rawValue, input.headers.accept.map(\.contentType.rawValue)) {
            var table = CSVTable(columns: [
                ("requestingDepartment", "摊派部门"), ("task", "事项"), ("admitted", "已准入"), ("admissionId", "准入编号"), ("agreement", "协议"),
                ("government", "街道/镇"), ("committee", "居(村)委会"), ("refusalId", "拒绝编号"), ("requestedOn", "摊派日期"), ("refusedOn", "拒绝日期"),
            ])
            for r in answer.entries {
                table.append([r.requestingDepartment, r.task, r.admitted ? "是" : "否", r.admissionId ?? "", r.agreement, r.government, r.committee,
                              r.refusalId, r.requestedOn.description, r.refusedOn.description])
            }
            return .ok(.init(body: .csv(HTTPBody(table.text))))
        }
        var departments: [String: (refusals: Int, unadmitted: Int)] = [:]
        for r in answer.entries {
            departments[r.requestingDepartment, default: (0, 0)].refusals += 1
            if !r.admitted { departments[r.requestingDepartment, default: (0, 0)].unadmitted += 1 }
        }
        let body = Components.Schemas.RefusalsRegister(
            district: input.path.district, year: q.year, asOf: answer.asOf.description, knownAt: answer.knownAt,
            departments: departments.sorted { ($0.value.unadmitted, $1.key) > ($1.value.unadmitted, $0.key) }.map {
                .init(department: $0.key, refusals: $0.value.refusals, unadmitted: $0.value.unadmitted)
            },
            refusals: answer.entries.dropFirst(offset).prefix(limit).map(Components.Schemas.RefusalEntry.init),
            page: .init(offset: offset, limit: limit, total: answer.entries.count))
        return .ok(.init(body: .json(body)))
    }
}

extension Components.Schemas.ClaimEntry {
    init(_ c: Registers.Claim) throws {
        self.init(
            agreement: c.agreement, government: c.government, committee: c.committee, claimId: c.claimId, claimant: try convert(RawText(c.claimant)),
            clauseId: c.clauseId, description: c.description, deductionCap: c.deductionCap, state: try convert(c.state),
            outcome: try c.outcome.map { try convert(RawText($0)) }, deduction: c.deduction, rectificationDeadline: c.rectificationDeadline?.description,
            mustAct: try c.mustAct.map { try convert(RawText($0)) }, rectificationOverdue: c.rectificationOverdue, filedOn: c.filedOn.description,
            answeredOn: c.answeredOn?.description, settledOn: c.settledOn?.description, rectifiedOn: c.rectifiedOn?.description, withdrawnOn: c.withdrawnOn?.description)
    }
}

extension Components.Schemas.RefusalEntry {
    init(_ r: Registers.Refusal) {
        self.init(
            agreement: r.agreement, government: r.government, committee: r.committee, refusalId: r.refusalId, requestingDepartment: r.requestingDepartment,
            task: r.task, requestedOn: r.requestedOn.description, admissionId: r.admissionId, admitted: r.admitted, refusedOn: r.refusedOn.description)
    }
}

/// A raw value from the read tables, for ``convert(_:)``.
struct RawText: RawRepresentable {
    var rawValue: String
    init(rawValue: String) { self.rawValue = rawValue }
    init(_ rawValue: String) { self.rawValue = rawValue }
}
