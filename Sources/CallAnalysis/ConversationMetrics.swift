/// Per-party figures of one call.
public struct PartyMetrics: Sendable, Equatable {
    /// Total speech time at utterance level (s).
    public var talkS: Double
    /// talkS / call duration (0–1).
    public var talkRatio: Double
    /// Number of utterances (speech segments).
    public var segmentCount: Int
    /// Longest monologue: the span from first to last speech of this party between two
    /// consecutive segment starts of the other party (s). On mono: the longest segment.
    public var longestMonologueS: Double
    /// Where that monologue starts (s); nil without speech.
    public var longestMonologueStartS: Double?
    public var levels: ChannelLevels
    /// Share of the call (0–1) during which voices were heard behind this party (babble).
    public var backgroundVoicesShare: Double
    /// Speech segments, sorted.
    public var segments: [FrameSpan]
}

/// Recording health, per file. Reported, never a reason to fail the call.
public enum HealthFlag: String, Sendable, Equatable, CaseIterable {
    /// The agent's channel carries no speech at all.
    case agentChannelSilent = "agent_channel_silent"
    /// The customer's channel carries no speech at all.
    case customerChannelSilent = "customer_channel_silent"
    /// A mono recording with no speech at all.
    case noSpeech = "no_speech"
    /// The agent channel clips (share of clipped samples above `clippingShare`).
    case agentClipping = "agent_clipping"
    case customerClipping = "customer_clipping"
    case clipping = "clipping"
    /// Speech less than `lowSNRDB` above the noise.
    case agentLowSNR = "agent_low_snr"
    case customerLowSNR = "customer_low_snr"
    case lowSNR = "low_snr"
    /// The two channels carry the same signal (mono stored as stereo, or a wiring fault).
    case channelsIdentical = "channels_identical"
    /// One channel's speech is heard on the other (echo, bleed, crosstalk).
    case crosstalk = "crosstalk"
    /// The file's data is shorter than its header declares (truncated recording).
    case truncated = "truncated"
    /// The file contained NaN or infinite samples (replaced by 0).
    case nonFiniteSamples = "non_finite_samples"
    /// Float samples beyond ±64 (36 dB over full scale, e.g. ±5e19) were clipped to full
    /// scale: the file is not a normal recording.
    case outOfRangeSamples = "out_of_range_samples"
    /// The customer's voice is heard on the agent's channel (echo or bleed, measured and
    /// taken off the agent's talk; see `ConversationMetrics.echo`).
    case agentChannelEcho = "agent_channel_echo"
    /// The agent's voice is heard on the customer's channel.
    case customerChannelEcho = "customer_channel_echo"
    /// Voices behind the agent (a contact-center floor) for at least 30 % of the call.
    case agentBackgroundVoices = "agent_background_voices"
    /// Voices behind the customer (a street, a shop) for at least 30 % of the call.
    case customerBackgroundVoices = "customer_background_voices"
    /// Voices behind the talkers of a mono call for at least 30 % of it.
    case backgroundVoices = "background_voices"
    /// A hold-music library was given but could not be applied to the recording (its sample
    /// rate; see `ConversationMetrics.knownAudioNote`): its hold music was judged by the
    /// detector alone.
    case holdMusicNotApplied = "hold_music_not_applied"
}

/// Conversation metrics of one call, as defined in the README.
public struct ConversationMetrics: Sendable, Equatable {
    public var durationS: Double
    /// Per party: `.agent` and `.customer` on stereo, `.mixed` on mono.
    public var parties: [Party: PartyMetrics]
    /// Nobody talks and no hold: all of it (s).
    public var silenceS: Double
    public var silenceRatio: Double
    /// Only the silent gaps of at least `minSilenceS` (s).
    public var nonTalkS: Double
    /// Both talk at once (s); nil on mono.
    public var overtalkS: Double?
    public var overtalkRatio: Double?
    /// Interruptions started by the agent / by the customer; nil on mono.
    public var interruptionsByAgent: Int?
    public var interruptionsByCustomer: Int?
    /// Where each interruption happened: the interrupter's start to the end of the overlap.
    public var interruptionSpansByAgent: [FrameSpan]
    public var interruptionSpansByCustomer: [FrameSpan]
    /// Both talk at once (frames spans); empty on mono.
    public var overtalk: [FrameSpan]
    /// Gaps of nobody talking of at least `deadAirS`, hold excluded.
    public var deadAir: [FrameSpan]
    public var longestSilenceS: Double
    public var longestSilenceStartS: Double?
    /// Music-on-hold spans (union over channels) and their total (s).
    public var hold: [FrameSpan]
    public var holdS: Double
    /// Tones found on any channel (ring-back, dial and busy tones, SIT, beeps, DTMF
    /// keypresses; union over channels) and their total (s).
    public var tones: [FrameSpan]
    public var toneS: Double
    /// Keypress sequences (DTMF) on any channel: digits and the pauses between them (spans).
    /// Which digits were pressed is never kept: they are often card numbers or PINs.
    public var keypresses: [FrameSpan]
    /// Agent talk / customer talk; nil on mono or when the customer never talks.
    public var talkToListen: Double?
    /// Mean time from the end of a customer segment to the start of the agent's answer,
    /// over gaps shorter than `deadAirS` (s); nil on mono or without such gaps.
    public var agentResponseGapS: Double?
    public var health: [HealthFlag]
    /// Pearson correlation of the channels' frame log-powers (stereo only).
    public var channelCorrelation: Double?
    /// Per party (stereo): the other party's voice measured on this party's channel (echo,
    /// bleed); absent where too little of the other party's talk was heard to measure.
    public var echo: [Party: EchoEstimate]
    /// Per party: the site's hold music and announcements found on the party's channel
    /// (`KnownAudioLibrary`; empty without a library).
    public var knownAudio: [Party: [KnownAudioMatch]] = [:]
    /// Why a hold-music library given was not applied to the recording, or nil.
    public var knownAudioNote: String?

    /// Computes the metrics from the detector's outcome.
    /// - Parameter agentChannel: index of the agent's channel on stereo (0 = left).
    public init(outcome: AnalysisOutcome, agentChannel: Int, parameters p: AnalysisParameters) {
        let fps = 1.0 / frameDuration
        let n = outcome.frameCount
        durationS = outcome.durationS
        let dur = max(outcome.durationS, 1e-9)
        var parties: [Party: PartyMetrics] = [:]
        let hold = Self.bridgedHold(SpanMath.normalize(outcome.channels.flatMap(\.hold)),
                                    busy: SpanMath.normalize(outcome.channels.flatMap { $0.speech + $0.tones }),
                                    maxGap: Int((p.minHoldS * fps).rounded()))
        // Hold removes speech on every channel: the music is on one leg but the call is on hold.
        // But the site's hold music plays to the caller, and a recording has what the caller
        // hears on the agent's channel: where only a library match on the *customer's* channel
        // says hold (`ChannelActivity.knownHoldOnly`) and the agent's channel neither holds nor
        // carries that music's echo, the agent's talk stays (a customer's radio taken for a
        // library piece must not erase the agent's words).
        let customerChannel = outcome.channels.count == 2 ? (agentChannel == 1 ? 0 : 1) : nil
        let speechPer = outcome.channels.indices.map { c -> [FrameSpan] in
            let ch = outcome.channels[c]
            let others = customerChannel.map { $0 == c ? [] : outcome.channels[$0].knownHoldOnly } ?? []
            let exempt = SpanMath.subtract(others, SpanMath.union(ch.hold, ch.knownAudioEcho))
            return SpanMath.subtract(ch.speech, exempt.isEmpty ? hold : SpanMath.subtract(hold, exempt))
        }
        let tones = SpanMath.normalize(outcome.channels.flatMap(\.tones))
        self.tones = tones
        toneS = Double(SpanMath.total(tones)) * frameDuration
        keypresses = SpanMath.normalize(outcome.channels.flatMap(\.keypresses))
        let stereo = outcome.channels.count == 2
        var flags: [HealthFlag] = []
        var echo: [Party: EchoEstimate] = [:]

        func party(_ c: Int, other: [FrameSpan]?) -> PartyMetrics {
            let segs = speechPer[c]
            let talk = Double(SpanMath.total(segs)) * frameDuration
            let mono = Self.longestMonologue(segs, otherStarts: other.map { $0.map(\.start) } ?? [])
            return PartyMetrics(talkS: talk, talkRatio: talk / dur, segmentCount: segs.count,
                                longestMonologueS: mono.map { $0.durationS } ?? 0,
                                longestMonologueStartS: mono?.startS,
                                levels: outcome.channels[c].levels,
                                backgroundVoicesShare: outcome.channels[c].backgroundVoicesShare, segments: segs)
        }

        let anyTalk: [FrameSpan]
        if stereo {
            let a = agentChannel == 1 ? 1 : 0
            let c = 1 - a
            parties[.agent] = party(a, other: speechPer[c])
            parties[.customer] = party(c, other: speechPer[a])
            let over = SpanMath.intersection(speechPer[a], speechPer[c])
            overtalk = over
            overtalkS = Double(SpanMath.total(over)) * frameDuration
            overtalkRatio = overtalkS! / dur
            let minOverlap = Int((p.minInterruptionS * fps).rounded())
            interruptionSpansByAgent = Self.interruptionSpans(by: speechPer[a], of: speechPer[c], minOverlap: minOverlap)
            interruptionSpansByCustomer = Self.interruptionSpans(by: speechPer[c], of: speechPer[a], minOverlap: minOverlap)
            interruptionsByAgent = interruptionSpansByAgent.count
            interruptionsByCustomer = interruptionSpansByCustomer.count
            anyTalk = SpanMath.union(speechPer[a], speechPer[c])
            let agentTalk = parties[.agent]!.talkS, customerTalk = parties[.customer]!.talkS
            talkToListen = customerTalk > 0 ? agentTalk / customerTalk : nil
            agentResponseGapS = Self.responseGap(customer: speechPer[c], agent: speechPer[a],
                                                 maxGap: Int((p.deadAirS * fps).rounded()))
            for (party, idx, silent, clip, low) in [
                (Party.agent, a, HealthFlag.agentChannelSilent, HealthFlag.agentClipping, HealthFlag.agentLowSNR),
                (Party.customer, c, .customerChannelSilent, .customerClipping, .customerLowSNR),
            ] {
                let m = parties[party]!
                if m.segmentCount == 0 { flags.append(silent) }
                if outcome.channels[idx].levels.clippedShare > p.clippingShare { flags.append(clip) }
                if let snr = m.levels.snrDB, m.segmentCount > 0, snr < p.lowSNRDB { flags.append(low) }
            }
            channelCorrelation = outcome.envelopeCorrelation
            if let r = outcome.envelopeCorrelation {
                if r > 0.97 { flags.append(.channelsIdentical) } else if r > 0.6 { flags.append(.crosstalk) }
            }
            for (party, flag) in [(Party.agent, HealthFlag.agentBackgroundVoices), (.customer, .customerBackgroundVoices)]
            where (parties[party]?.backgroundVoicesShare ?? 0) >= 0.3 {
                flags.append(flag)
            }
            for (party, idx, flag) in [(Party.agent, a, HealthFlag.agentChannelEcho), (.customer, c, .customerChannelEcho)]
            where idx < outcome.echo.count {
                // Reported where echo was taken off; a coupling measured but never proven says
                // nothing an analyst can use.
                guard let e = outcome.echo[idx], e.applied else { continue }
                echo[party] = e
                flags.append(flag)
            }
        } else {
            let m = party(0, other: nil)
            parties[.mixed] = m
            overtalkS = nil; overtalkRatio = nil; overtalk = []
            interruptionsByAgent = nil; interruptionsByCustomer = nil
            interruptionSpansByAgent = []; interruptionSpansByCustomer = []
            anyTalk = speechPer[0]
            talkToListen = nil
            agentResponseGapS = nil
            channelCorrelation = nil
            if m.segmentCount == 0 { flags.append(.noSpeech) }
            if outcome.channels[0].levels.clippedShare > p.clippingShare { flags.append(.clipping) }
            if let snr = m.levels.snrDB, m.segmentCount > 0, snr < p.lowSNRDB { flags.append(.lowSNR) }
            if m.backgroundVoicesShare >= 0.3 { flags.append(.backgroundVoices) }
        }
        self.parties = parties
        self.echo = echo
        self.hold = hold
        let owners: [Party] = stereo ? (agentChannel == 1 ? [.customer, .agent] : [.agent, .customer]) : [.mixed]
        for (c, party) in owners.enumerated() where c < outcome.channels.count && !outcome.channels[c].knownAudio.isEmpty {
            knownAudio[party] = outcome.channels[c].knownAudio
        }
        knownAudioNote = outcome.knownAudioNote
        if outcome.knownAudioNote != nil { flags.append(.holdMusicNotApplied) }
        holdS = Double(SpanMath.total(hold)) * frameDuration
        // Silence: nobody talks and the call is not on hold.
        let silent = SpanMath.complement(SpanMath.union(anyTalk, hold), length: n)
        let silentFrames = SpanMath.total(silent)
        // The last frame may be partial: never report more silence than the duration.
        silenceS = min(Double(silentFrames) * frameDuration, outcome.durationS)
        silenceRatio = silenceS / dur
        let minSilence = Int((p.minSilenceS * fps).rounded())
        nonTalkS = Double(SpanMath.total(silent.filter { $0.length >= minSilence })) * frameDuration
        let deadAirFrames = Int((p.deadAirS * fps).rounded())
        deadAir = silent.filter { $0.length >= deadAirFrames }
        let longest = silent.max { $0.length < $1.length || ($0.length == $1.length && $0.start > $1.start) }
        longestSilenceS = longest.map { $0.durationS } ?? 0
        longestSilenceStartS = longest?.startS
        health = flags
    }

    /// Hold spans (sorted, disjoint) with each gap shorter than `maxGap` (`min_hold_s`) that
    /// holds no speech and no tone on any channel taken into the hold: the music's quiet
    /// passages, which the line's noise tracker takes in (neither talk nor hold), are part of
    /// the hold, not silence. A gap with anyone's words or a tone in it stays as it was, so no
    /// talk changes.
    static func bridgedHold(_ hold: [FrameSpan], busy: [FrameSpan], maxGap: Int) -> [FrameSpan] {
        var out: [FrameSpan] = []
        for h in hold {
            if let last = out.last, h.start - last.end < maxGap,
               SpanMath.intersection([FrameSpan(last.end, h.start)], busy).isEmpty {
                out[out.count - 1].end = h.end
            } else {
                out.append(h)
            }
        }
        return out
    }

    /// Span of the longest run of `segs` between consecutive starts of the other party.
    static func longestMonologue(_ segs: [FrameSpan], otherStarts: [Int]) -> FrameSpan? {
        var best: FrameSpan?
        var run: FrameSpan?
        var runInterval = -1
        var j = 0
        func keep(_ r: FrameSpan) { if best == nil || r.length > best!.length { best = r } }
        for s in segs {
            var start = s.start
            while true {
                // j = number of the other party's starts at or before `start`: the interval index.
                while j < otherStarts.count && otherStarts[j] <= start { j += 1 }
                let pieceEnd = j < otherStarts.count ? min(s.end, otherStarts[j]) : s.end
                if let r = run, runInterval == j {
                    run = FrameSpan(r.start, pieceEnd)
                } else {
                    if let r = run { keep(r) }
                    run = FrameSpan(start, pieceEnd)
                    runInterval = j
                }
                if pieceEnd >= s.end { break }
                start = pieceEnd
            }
        }
        if let r = run { keep(r) }
        return best
    }

    /// Segments of `by` that start strictly inside a segment of `other` and overlap it
    /// ≥ minOverlap frames, as spans from the interrupter's start to the
    /// end of the overlap with the segment it broke into (frames).
    public static func interruptionSpans(by: [FrameSpan], of other: [FrameSpan], minOverlap: Int) -> [FrameSpan] {
        var spans: [FrameSpan] = []
        var j = 0
        for s in by {
            while j < other.count && other[j].end <= s.start { j += 1 }
            guard j < other.count else { break }
            let o = other[j]
            if o.start < s.start && s.start < o.end {
                let end = min(s.end, o.end)
                if end - s.start >= minOverlap { spans.append(FrameSpan(s.start, end)) }
            }
        }
        return spans
    }

    /// Mean gap (s) from the end of a customer segment to the next agent start, when the
    /// agent speaks next (before the customer's next segment) and the gap is < maxGap frames.
    static func responseGap(customer: [FrameSpan], agent: [FrameSpan], maxGap: Int) -> Double? {
        var total = 0, count = 0
        var j = 0
        for (i, c) in customer.enumerated() {
            while j < agent.count && agent[j].start < c.end { j += 1 }
            guard j < agent.count else { break }
            let a = agent[j].start
            let nextCustomer = i + 1 < customer.count ? customer[i + 1].start : Int.max
            guard a <= nextCustomer else { continue }
            let gap = a - c.end
            if gap < maxGap { total += gap; count += 1 }
        }
        return count > 0 ? Double(total) * frameDuration / Double(count) : nil
    }
}
