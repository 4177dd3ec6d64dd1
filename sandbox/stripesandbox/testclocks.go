package stripesandbox

// Test clocks: POST/GET/DELETE /v1/test_helpers/test_clocks[/{id}], POST
// /v1/test_helpers/test_clocks/{id}/advance (frozen_time later than the
// current one). Customers created with test_clock=clock_… live on the
// clock's time: every object created for them (invoice items, invoices,
// payment intents, charges and their balance transactions, subscriptions,
// credit notes) is stamped with its frozen_time; events keep the server
// clock. Advancing runs, in time order, every subscription renewal or
// scheduled cancellation due up to the new time (each renewal invoice dated
// at its period start) inside the request, then the clock is ready: the
// response shows status advancing (as Stripe answers) and the next
// retrieve shows ready. Events: test_helpers.test_clock.created, .advancing,
// .ready, .deleted. Deleting a clock leaves its customers in place.

const (
	evTestClockCreated   = "test_helpers.test_clock.created"
	evTestClockAdvancing = "test_helpers.test_clock.advancing"
	evTestClockReady     = "test_helpers.test_clock.ready"
	evTestClockDeleted   = "test_helpers.test_clock.deleted"
)

const clockType = "test_helpers.test_clock"

func clockRow(clk *testClock) row {
	return row{ID: clk.ID, Type: clockType, Created: clk.Created, Kind: clk.Status}
}

func (s *Server) createTestClock(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "frozen_time", "name", "expand"); aerr != nil {
		return nil, aerr
	}
	ft, ok, aerr := c.p.integer("frozen_time")
	if aerr != nil {
		return nil, aerr
	}
	if !ok {
		return nil, missingParam("frozen_time")
	}
	if ft <= 0 {
		return nil, invalidParam("frozen_time", "Invalid frozen_time: must be a positive Unix timestamp")
	}
	now := s.now().Unix()
	clk := &testClock{ID: newID("clock"), Object: clockType, Created: now, DeletesAfter: now + 30*86400,
		FrozenTime: ft, Status: "ready"}
	if v, ok, aerr := c.p.str("name"); aerr != nil {
		return nil, aerr
	} else if ok {
		clk.Name = optStr(v)
	}
	if aerr := c.save(clockRow(clk), clk); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evTestClockCreated, clk, nil); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(clk, clockType)
}

func (s *Server) getTestClock(c *call) (any, *apiError) { return c.getAndRender(clockType) }

func (s *Server) listTestClocks(c *call) (any, *apiError) {
	return c.list(clockType, "/v1/test_helpers/test_clocks", nil)
}

func (s *Server) deleteTestClock(c *call) (any, *apiError) {
	if aerr := c.p.allow(""); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load(clockType)
	if aerr != nil {
		return nil, aerr
	}
	var clk testClock
	if aerr := decodeRow(r, &clk); aerr != nil {
		return nil, aerr
	}
	if _, err := c.q.ExecContext(c.ctx, `DELETE FROM objects WHERE id = ?`, clk.ID); err != nil {
		return nil, internalError(err)
	}
	if aerr := c.emit(evTestClockDeleted, &clk, nil); aerr != nil {
		return nil, aerr
	}
	return deletedObject{ID: clk.ID, Object: clockType, Deleted: true}, nil
}

// advanceTestClock implements POST /v1/test_helpers/test_clocks/{id}/advance.
func (s *Server) advanceTestClock(c *call) (any, *apiError) {
	if aerr := c.p.allow("", "frozen_time", "expand"); aerr != nil {
		return nil, aerr
	}
	r, aerr := c.load(clockType)
	if aerr != nil {
		return nil, aerr
	}
	var clk testClock
	if aerr := decodeRow(r, &clk); aerr != nil {
		return nil, aerr
	}
	ft, ok, aerr := c.p.integer("frozen_time")
	if aerr != nil {
		return nil, aerr
	}
	if !ok {
		return nil, missingParam("frozen_time")
	}
	if ft <= clk.FrozenTime {
		return nil, invalidParam("frozen_time", "The frozen_time must be after the test clock's current frozen_time (%d).", clk.FrozenTime)
	}
	if clk.Status != "ready" {
		return nil, invalidParam("", "The test clock is %s; it can only be advanced when ready.", clk.Status)
	}
	// Everything the clock does is automatic: no request on its events.
	reqID, idem := c.reqID, c.idemKey
	c.reqID, c.idemKey = "", ""
	defer func() { c.reqID, c.idemKey = reqID, idem }()
	clk.Status, clk.FrozenTime = "advancing", ft
	answer := clk
	if aerr := c.emit(evTestClockAdvancing, &clk, nil); aerr != nil {
		return nil, aerr
	}
	if aerr := c.advanceSubscriptions(clk.ID, ft); aerr != nil {
		return nil, aerr
	}
	clk.Status = "ready"
	if aerr := c.save(clockRow(&clk), &clk); aerr != nil {
		return nil, aerr
	}
	if aerr := c.emit(evTestClockReady, &clk, nil); aerr != nil {
		return nil, aerr
	}
	return c.renderValue(&answer, clockType)
}
