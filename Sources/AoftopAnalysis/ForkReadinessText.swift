import AoftopModel

/// Remedy texts shared by the fork rules, said once.
enum ForkReadinessText {
    /// Without a fork-readiness reading (a remote server, an old recording).
    static let makeForkPossible = "make fork possible: vm.overcommit_memory=1, free memory"

    /// What makes the next fork possible on this host, as measured: the deciding cause and its remedy, or the
    /// general advice without a reading. Said only where forks are failing.
    static func forkFix(_ verdict: ForkReadinessVerdict?) -> String {
        guard let verdict else { return makeForkPossible }
        switch verdict.outcome {
        case .willFail, .mayFail:
            return "make fork possible (\(verdict.summary)): \(verdict.remedy ?? "free memory")"
        case .shouldSucceed, .slow:
            // The memory figures allow the fork, yet it fails: something else refuses it.
            return "forks fail though memory allows them (\(verdict.summary)): look at RLIMIT_NPROC, the cgroup's "
                + "pids.max, seccomp or an LD_PRELOAD fault injector"
        case .unknown:
            return makeForkPossible
        }
    }
}
