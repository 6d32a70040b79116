package demo

// When people do things: the gaps within and between visits, and the hours.

// step is the gap to a person's next event within a visit: seconds to a few
// minutes, now and then longer than the 30-minute session timeout.
func (s *sim) step(t int64) int64 {
	if s.r.Float64() < 0.02 {
		return t + between(s.r, 31*minute, 3*hour)
	}
	return t + min(lognormal(s.r, 40*second, 1.1), 25*minute)
}

// soon is the gap between a prompt and the product use it leads to.
func (s *sim) soon(t int64) int64 { return t + between(s.r, 10*second, 12*minute) }

// nextVisit is the start of the next visit, around median later.
func (s *sim) nextVisit(t, median int64) int64 {
	return s.daytime(t + 30*minute + lognormal(s.r, median, 1.2))
}

// daytime moves most starts at night (New York time) into the working day and
// half of the weekend starts to Monday.
func (s *sim) daytime(t int64) int64 {
	const offset = 5 * hour // New York standard time; DST is close enough here
	local := t - offset
	midnight := local - local%day
	if h := (local - midnight) / hour; h < 7 && s.r.Float64() < 0.85 {
		local = midnight + 7*hour + between(s.r, 0, 11*hour)
	}
	// 1970-01-01 was a Thursday: weekday 0 is Sunday.
	switch (local/day + 4) % 7 {
	case 6:
		if s.r.IntN(2) == 0 {
			local += 2 * day
		}
	case 0:
		if s.r.IntN(2) == 0 {
			local += day
		}
	}
	return local + offset
}
