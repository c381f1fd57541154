import CallQAModel
import Foundation
import HTTPTypes
import Hummingbird
import Pipeline
import Reports
import Store

/// The handlers of disputes, calibration and coaching: decode the form, call `Disputes`,
/// `Calibrations` or `CoachingNotes` with the logged-in account (role and scope are values
/// those check), audit what was done, render. A role that may not take an action, and an
/// object outside the scope, answer the one 404.
extension Handlers {
    /// The form body of a POST (the middleware has read it already to check the CSRF token).
    func form(_ request: Request, _ context: WorkspaceContext) async throws -> String {
        var request = request
        return String(buffer: try await request.collectBody(upTo: context.maxUploadSize))
    }

    /// A numeric path parameter; anything else is the one 404.
    func numericID(_ context: WorkspaceContext, _ name: String = "id") throws -> Int64 {
        guard let text = context.parameters.get(name), let id = Int64(text), id > 0, String(id) == text else { throw PageError(.notFound) }
        return id
    }

    /// Today's date in UTC (`YYYY-MM-DD`): follow-up dates are compared with it.
    var today: String { CoachingNotes.today(config.now()) }

    // MARK: Disputes

    /// The call page with a notice from a dispute or coaching action.
    func callPage(_ session: AuthenticatedSession, callID: String, loopNotice: Pages.LoopNotice, status: HTTPResponse.Status,
                  address: String?) throws -> Response {
        try callPage(session, callID: callID, startS: nil, loopNotice: loopNotice, status: status, address: address)
    }

    /// Raises a dispute (agents on their calls, supervisors on their teams').
    @Sendable func openDispute(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        guard let callID = context.parameters.get("id"), DisputeRules.allowed(.open, session.account.role) else { throw PageError(.notFound) }
        let body = try await form(request, context)
        guard let pick = Forms.field("criterion", in: body), let slash = pick.firstIndex(of: "/") else { throw PageError(.badRequest) }
        let cardID = String(pick[..<slash]), criterionID = String(pick[pick.index(after: slash)...])
        let result = try Disputes.open(server.store, callID: callID, cardID: cardID, criterionID: criterionID, reason: Forms.field("reason", in: body) ?? "",
                                       by: session.account, window: config.disputeWindow, nowEpoch: config.now())
        return try disputeResponse(result, session: session, callID: callID, request: request, context: context)
    }

    @Sendable func acceptDispute(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let id = try numericID(context)
        guard DisputeRules.allowed(.accept, session.account.role), let d = try server.store.dispute(id: id, scope: session.account.scope) else {
            throw PageError(.notFound)
        }
        let body = try await form(request, context)
        let result = try Disputes.accept(server.store, id: id, newAnswer: Forms.field("answer", in: body) ?? "", reason: Forms.field("reason", in: body) ?? "",
                                         by: session.account, nowEpoch: config.now())
        return try disputeResponse(result, session: session, callID: d.callID, request: request, context: context)
    }

    @Sendable func rejectDispute(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let id = try numericID(context)
        guard DisputeRules.allowed(.reject, session.account.role), let d = try server.store.dispute(id: id, scope: session.account.scope) else {
            throw PageError(.notFound)
        }
        let body = try await form(request, context)
        let result = try Disputes.reject(server.store, id: id, reason: Forms.field("reason", in: body) ?? "", by: session.account, nowEpoch: config.now())
        return try disputeResponse(result, session: session, callID: d.callID, request: request, context: context)
    }

    @Sendable func withdrawDispute(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let id = try numericID(context)
        guard DisputeRules.allowed(.withdraw, session.account.role), let d = try server.store.dispute(id: id, scope: session.account.scope) else {
            throw PageError(.notFound)
        }
        let body = try await form(request, context)
        let result = try Disputes.withdraw(server.store, id: id, reason: Forms.field("reason", in: body), by: session.account, nowEpoch: config.now())
        return try disputeResponse(result, session: session, callID: d.callID, request: request, context: context)
    }

    /// Audits a dispute action and goes back to the call's disputes; refusals are shown there.
    func disputeResponse(_ result: Disputes.Result, session: AuthenticatedSession, callID: String, request: Request,
                         context: WorkspaceContext) throws -> Response {
        switch result {
        case .notFound:
            throw PageError(.notFound)
        case let .refused(r):
            if case .role = r { throw PageError(.notFound) }
            return try callPage(session, callID: callID, loopNotice: .init(ok: false, text: r.description.prefix(1).uppercased() + r.description.dropFirst() + "."),
                                status: .conflict, address: address(request, context))
        case let .conflict(why):
            return try callPage(session, callID: callID, loopNotice: .init(ok: false, text: "Nothing was changed: \(why)."), status: .conflict,
                                address: address(request, context))
        case let .invalid(why):
            return try callPage(session, callID: callID, loopNotice: .init(ok: false, text: "Nothing was changed: \(why)."), status: .badRequest,
                                address: address(request, context))
        case let .done(d, before, after):
            let action: AuditAction = switch d.state {
            case .open: .disputeOpened
            case .accepted: .disputeAccepted
            case .rejected: .disputeRejected
            case .withdrawn: .disputeWithdrawn
            }
            var detail = "\(d.cardID)/\(d.criterionID): answer \(d.answer) by \(d.evaluator)"
            switch d.state {
            case .open: detail += "; reason: \(d.reason)"
            case .accepted: detail += " → \(d.newAnswer ?? ""); score \(Pages.scoreText(before)) → \(Pages.scoreText(after)); reason: \(d.resolution ?? "")"
            case .rejected: detail += "; reason: \(d.resolution ?? "")"
            case .withdrawn: detail += d.resolution.map { "; reason: \($0)" } ?? ""
            }
            try auth.audit(action, by: session.account, address: address(request, context), callID: d.callID, target: "dispute \(d.id)", detail: detail)
            return .seeOther("/calls/\(HTML.pathSegment(d.callID))?dispute=\(d.id)#disputes")
        }
    }

    /// `/disputes`: the dispute report of a period (when disputes were opened) in the scope.
    @Sendable func disputesPage(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let q = Self.query(request)
        let period: WebPeriod
        do { period = try WebPeriod.parse(q, latest: today) } catch { throw PageError(.badRequest) }
        var state: DisputeState?
        if let s = q("state"), !s.isEmpty {
            guard let v = DisputeState(rawValue: s) else { throw PageError(.badRequest) }
            state = v
        }
        let report = try Disputes.report(server.store, opened: period.period, scope: session.account.scope)
        return .html(Pages.disputes(session, period: period, report: report, state: state))
    }

    // MARK: Coaching

    /// A supervisor or QA records a coaching note about an agent in scope.
    @Sendable func addCoaching(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        guard let agentID = context.parameters.get("id"), CoachingRules.mayWrite(session.account.role),
              try server.store.knownValues(.agent, scope: session.account.scope).contains(agentID) else { throw PageError(.notFound) }
        let body = try await form(request, context)
        let back = Forms.field("back", in: body) ?? "agent"
        let result = try CoachingNotes.add(server.store, agentID: agentID, keep: Forms.field("keep", in: body) ?? "",
                                           change: Forms.field("change", in: body) ?? "", references: Forms.field("refs", in: body) ?? "",
                                           followUp: Forms.field("follow_up", in: body), by: session.account, nowEpoch: config.now())
        switch result {
        case .notFound, .refused: throw PageError(.notFound)
        case let .invalid(why), let .conflict(why):
            let n = Pages.LoopNotice(ok: false, text: "Nothing was recorded: \(why).")
            if back.hasPrefix("call:") {
                return try callPage(session, callID: String(back.dropFirst(5)), loopNotice: n, status: .badRequest, address: address(request, context))
            }
            return try agentPage(request, session: session, agentID: agentID, notice: n, status: .badRequest)
        case let .done(note):
            try auth.audit(.coachingNote, by: session.account, address: address(request, context), callID: note.references.first?.callID,
                           target: "coaching \(note.id)",
                           detail: "agent \(agentID); calls \(note.references.map(\.text).joined(separator: " ")); follow-up \(note.followUpDate ?? "none")")
            return .seeOther("/agents/\(HTML.pathSegment(agentID))?coached=\(note.id)#coaching")
        }
    }

    @Sendable func acknowledgeCoaching(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let id = try numericID(context)
        guard CoachingRules.mayAcknowledge(session.account.role) else { throw PageError(.notFound) }
        let body = try await form(request, context)
        return try coachingResponse(try CoachingNotes.acknowledge(server.store, id: id, by: session.account, nowEpoch: config.now()),
                                    action: .coachingAcknowledged, session: session, back: Forms.field("back", in: body), request: request, context: context)
    }

    @Sendable func followUpCoaching(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let id = try numericID(context)
        guard CoachingRules.mayWrite(session.account.role) else { throw PageError(.notFound) }
        let body = try await form(request, context)
        return try coachingResponse(try CoachingNotes.followUp(server.store, id: id, result: Forms.field("result", in: body) ?? "",
                                                               by: session.account, nowEpoch: config.now()),
                                    action: .coachingFollowUp, session: session, back: Forms.field("back", in: body), request: request, context: context)
    }

    func coachingResponse(_ result: CoachingNotes.Result, action: AuditAction, session: AuthenticatedSession, back: String?, request: Request,
                          context: WorkspaceContext) throws -> Response {
        switch result {
        case .notFound, .refused: throw PageError(.notFound)
        case let .invalid(why), let .conflict(why):
            let waiting = try CoachingNotes.waiting(server.store, for: session.account, today: today)
            return .html(Pages.coaching(session, waiting: waiting, today: today, notice: .init(ok: false, text: "Nothing was changed: \(why).")),
                         status: .conflict)
        case let .done(note):
            try auth.audit(action, by: session.account, address: address(request, context), target: "coaching \(note.id)",
                           detail: "agent \(note.agentID)" + (action == .coachingFollowUp ? "; result: \(note.followUpResult ?? "")" : ""))
            if back == "agent" { return .seeOther("/agents/\(HTML.pathSegment(note.agentID))#coaching") }
            return .seeOther("/coaching")
        }
    }

    /// `/coaching`: an agent's notes; for the others what is waiting, in their scope.
    @Sendable func coachingPage(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let waiting = try CoachingNotes.waiting(server.store, for: session.account, today: today)
        return .html(Pages.coaching(session, waiting: waiting, today: today, notice: nil))
    }

    // MARK: Calibration

    /// Every calibration route but the list: the session the account may see, or the one 404.
    func visibleSession(_ session: AuthenticatedSession, _ context: WorkspaceContext) throws -> CalibrationSession {
        guard let s = try Calibrations.session(server.store, id: try numericID(context), for: session.account) else { throw PageError(.notFound) }
        return s
    }

    func calibrationListPage(_ session: AuthenticatedSession, notice: Pages.LoopNotice?, status: HTTPResponse.Status = .ok) throws -> Response {
        let sessions = try Calibrations.sessions(server.store, for: session.account)
        let cards = session.account.role == .qa ? try server.store.latestCardTexts().map(\.id) : []
        let members = session.account.role == .qa ? try server.store.users() : []
        return .html(Pages.calibrationList(session, sessions: sessions, cards: cards, members: members, notice: notice), status: status)
    }

    @Sendable func calibrationList(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        guard session.account.role != .agent else { throw PageError(.notFound) }
        return try calibrationListPage(session, notice: nil)
    }

    @Sendable func createCalibration(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        guard session.account.role == .qa else { throw PageError(.notFound) }
        let body = try await form(request, context)
        let calls = (Forms.field("calls", in: body) ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\r" }).map(String.init)
        let result = try Calibrations.create(server.store, name: Forms.field("name", in: body) ?? "", cardID: Forms.field("card", in: body) ?? "",
                                             callIDs: calls, evaluators: Forms.fields("evaluator", in: body), expert: Forms.field("expert", in: body) ?? "",
                                             by: session.account, nowEpoch: config.now())
        switch result {
        case let .failure(p):
            return try calibrationListPage(session, notice: .init(ok: false, text: "Nothing was created: \(p.description)."), status: .badRequest)
        case let .success(s):
            try auth.audit(.calibrationCreated, by: session.account, address: address(request, context), target: "calibration \(s.id)",
                           detail: "\(s.name): card \(s.cardID) \(s.cardHash.prefix(8)); calls \(s.calls.joined(separator: " ")); expert \(s.expert?.name ?? ""); evaluators \(s.evaluators.map(\.name).joined(separator: " "))")
            return .seeOther("/calibration/\(s.id)")
        }
    }

    @Sendable func calibrationSession(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let s = try visibleSession(session, context)
        let results = try Calibrations.results(server.store, id: s.id, for: session.account)
        return .html(Pages.calibrationSession(session, s: s, results: results, notice: nil))
    }

    /// A member's form for one call of an open session (nobody else's answers on it).
    @Sendable func calibrationCall(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        return try calibrationCallPage(session, context: context, notice: nil)
    }

    func calibrationCallPage(_ session: AuthenticatedSession, context: WorkspaceContext, notice: Pages.LoopNotice?,
                             status: HTTPResponse.Status = .ok) throws -> Response {
        let s = try visibleSession(session, context)
        guard let callID = context.parameters.get("call"),
              let form = try Calibrations.form(server.store, id: s.id, callID: callID, for: session.account),
              form.memberRole != nil, s.state == .open else { throw PageError(.notFound) }
        let detail = try callReport(callID, scope: session.account.scope).detail
        return .html(Pages.calibrationCall(session, form: form, detail: detail, notice: notice), status: status)
    }

    @Sendable func saveCalibration(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let s = try visibleSession(session, context)
        guard let callID = context.parameters.get("call") else { throw PageError(.notFound) }
        let body = try await form(request, context)
        var answers: [WebEvaluation.Answer] = []
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Forms.decode(parts[0])
            guard key.hasPrefix("answer."), parts.count == 2 else { continue }
            let criterion = String(key.dropFirst("answer.".count))
            answers.append(.init(criterionID: criterion, answer: Forms.decode(parts[1]), comment: Forms.field("comment." + criterion, in: body)))
        }
        switch try Calibrations.save(server.store, id: s.id, callID: callID, answers: answers, by: session.account, nowEpoch: config.now()) {
        case .notFound: throw PageError(.notFound)
        case .closed:
            return .html(Pages.calibrationSession(session, s: s, results: try Calibrations.results(server.store, id: s.id, for: session.account),
                                                  notice: .init(ok: false, text: "The session is closed: answers no longer change.")), status: .conflict)
        case let .invalid(problems):
            return try calibrationCallPage(session, context: context, notice: .init(ok: false, text: "Nothing was saved: \(problems.joined(separator: "; "))."),
                                           status: .badRequest)
        case let .saved(changed):
            try auth.audit(.calibrationAnswers, by: session.account, address: address(request, context), callID: callID,
                           target: "calibration \(s.id)", detail: "\(changed) answer\(changed == 1 ? "" : "s") changed")
            return try calibrationCallPage(session, context: context,
                                           notice: .init(ok: true, text: "Saved: \(changed) answer\(changed == 1 ? "" : "s") changed."))
        }
    }

    @Sendable func closeCalibration(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let s = try visibleSession(session, context)
        guard session.account.role == .qa else { throw PageError(.notFound) }
        switch try Calibrations.close(server.store, id: s.id, by: session.account, nowEpoch: config.now()) {
        case nil: throw PageError(.notFound)
        case let .failure(p)?:
            return .html(Pages.calibrationSession(session, s: s, results: try Calibrations.results(server.store, id: s.id, for: session.account),
                                                  notice: .init(ok: false, text: p.description)), status: .conflict)
        case .success?:
            try auth.audit(.calibrationClosed, by: session.account, address: address(request, context), target: "calibration \(s.id)", detail: s.name)
            return .seeOther("/calibration/\(s.id)")
        }
    }

    /// The results of a closed session: the same 404 as a missing session while it is open.
    @Sendable func calibrationResults(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let s = try visibleSession(session, context)
        guard let results = try Calibrations.results(server.store, id: s.id, for: session.account) else { throw PageError(.notFound) }
        return .html(Pages.calibrationResults(session, results: results))
    }

    /// Every member's answers to one call: only once the session is closed (404 before).
    @Sendable func calibrationCallAnswers(_ request: Request, _ context: WorkspaceContext) async throws -> Response {
        let session = try user(context)
        let s = try visibleSession(session, context)
        guard let callID = context.parameters.get("call"), s.calls.contains(callID),
              let results = try Calibrations.results(server.store, id: s.id, for: session.account) else { throw PageError(.notFound) }
        return .html(Pages.calibrationCallAnswers(session, results: results, callID: callID))
    }
}

extension Forms {
    /// Every value of `name`, decoded (checkboxes send one field per ticked box).
    static func fields(_ name: String, in body: String) -> [String] {
        body.split(separator: "&", omittingEmptySubsequences: true).compactMap { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return decode(parts[0]) == name ? (parts.count > 1 ? decode(parts[1]) : "") : nil
        }
    }
}
