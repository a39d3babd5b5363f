package audio

// Long-term (pitch) synthesis (GSM 06.10 sections 4.3.2 and 4.2.12): each
// sub-frame's excitation is added to a scaled copy of the reconstructed signal
// one pitch lag earlier.

// qlb is the table of decoded LTP gains.
var qlb = [4]int16{3277, 11469, 21299, 32767}

// Lag limits; a coded lag outside them repeats the previous lag.
const (
	minLag = 40
	maxLag = 120
)

// longTermSynthesis reconstructs 40 samples of short-term residual into drp from
// the excitation erp, coded lag nc and gain code bc, and appends them to the
// history.
func (s *GSMState) longTermSynthesis(nc, bc int16, erp, drp *[40]int16) {
	nr := nc
	if nc < minLag || nc > maxLag {
		nr = s.nrp
		if nr == 0 { // the zero state stands for the initial lag
			nr = minLag
		}
	}
	s.nrp = nr
	brp := qlb[bc&3]
	// nr >= 40, so every read falls in the history, never in this sub-frame.
	past := s.dp[len(s.dp)-int(nr):]
	for k := range drp {
		drp[k] = add(erp[k], multR(brp, past[k]))
	}
	copy(s.dp[:], s.dp[40:])
	copy(s.dp[len(s.dp)-40:], drp[:])
}
