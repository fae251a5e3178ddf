package simulation

import "time"

// job is one transcoding job: when it was queued, and when it finishes once started.
type job struct {
	arrived, finishes time.Duration
}

// jobQueue is the transcode queue of one worker fleet: jobs arrive, wait in order, run one per
// slot (a worker pod's concurrency, an instance's jobs) for the job duration, and finish. A job
// on reclaimed capacity goes back to the head of the queue, as RabbitMQ redelivers a message its
// consumer never acknowledged.
type jobQueue struct {
	// measured: the trace gives the queue's depth (a measured series) instead of arrivals; the
	// fleet then runs what its slots hold of it and nothing is queued here.
	measured bool
	duration time.Duration
	waiting  []time.Duration // arrival times, oldest first
	running  []job           // in start order, so in finish order (one duration for all)
	credit   float64         // arrivals not yet a whole job

	backlogSince time.Duration // when jobs began to wait, -1 when none waits
	drain        time.Duration // the longest backlog, from its start to its last job's finish
	oldestWait   time.Duration // the longest a started job waited
	arrived      int
}

func newJobQueue(duration time.Duration, measured bool) *jobQueue {
	return &jobQueue{duration: duration, measured: measured, backlogSince: -1}
}

// observe moves the queue one step and returns the jobs waiting and running: from the trace's
// arrivals, or from its measured depth.
func (q *jobQueue) observe(now, step time.Duration, p Point, slots int) (waiting, running float64) {
	if q.measured {
		return p.QueueDepth, min(p.QueueDepth, float64(slots))
	}
	q.step(now, step, p.JobsPerMinute, slots)
	return float64(len(q.waiting)), float64(len(q.running))
}

// step queues the arrivals of one step (jobsPerMinute over step), finishes the jobs that are
// done and starts waiting jobs on the free slots.
func (q *jobQueue) step(now, step time.Duration, jobsPerMinute float64, slots int) {
	q.credit += jobsPerMinute * step.Minutes()
	for ; q.credit >= 1; q.credit-- {
		q.waiting = append(q.waiting, now)
		q.arrived++
	}
	done := 0
	for done < len(q.running) && q.running[done].finishes <= now {
		done++
	}
	q.running = q.running[done:]
	for len(q.waiting) > 0 && len(q.running) < slots {
		q.oldestWait = max(q.oldestWait, now-q.waiting[0])
		q.running = append(q.running, job{arrived: q.waiting[0], finishes: now + q.duration})
		q.waiting = q.waiting[1:]
	}
	switch {
	case len(q.waiting) > 0 && q.backlogSince < 0:
		q.backlogSince = now
	case len(q.waiting) == 0 && q.backlogSince >= 0:
		// The backlog's last job started now and finishes one duration later.
		q.drain = max(q.drain, now+q.duration-q.backlogSince)
		q.backlogSince = -1
	}
}

// restart zeroes the figures stats reports, for a trace that starts at now: the jobs queued and
// running stay, and a backlog still waiting counts from now.
func (q *jobQueue) restart(now time.Duration) {
	q.arrived, q.drain, q.oldestWait = 0, 0, 0
	if q.backlogSince >= 0 {
		q.backlogSince = now
	}
}

// lose puts back at the head of the queue up to n running jobs, the latest started first: their
// capacity was reclaimed before they finished.
func (q *jobQueue) lose(n int) {
	n = min(n, len(q.running))
	lost := q.running[len(q.running)-n:]
	q.running = q.running[:len(q.running)-n]
	back := make([]time.Duration, 0, n+len(q.waiting))
	for _, j := range lost {
		back = append(back, j.arrived)
	}
	q.waiting = append(back, q.waiting...)
}

// stats are the queue's figures at the trace's end: a backlog still open counts as undrained
// (drain -1), and a job still waiting counts with its wait so far.
func (q *jobQueue) stats(end time.Duration) (drain, oldestWait time.Duration, arrived int) {
	drain, oldestWait = q.drain, q.oldestWait
	if q.backlogSince >= 0 {
		drain = -1
	}
	if len(q.waiting) > 0 {
		oldestWait = max(oldestWait, end-q.waiting[0])
	}
	return drain, oldestWait, q.arrived
}
