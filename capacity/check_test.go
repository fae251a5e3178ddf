package capacity

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config/configtest"
)

func TestCheckAcceptsProd(t *testing.T) {
	p, err := Check(configtest.Prod(t))
	require.NoError(t, err, "prod's fleets fit their nodes, carry the peak, fit the database and have prices")
	assert.Len(t, p.Cost.Fleets, 4, "the plan prices all four fleets")
	assert.Equal(t, DatabaseBudget(configtest.Prod(t)), p.Database, "the plan holds the database budget")
}

func TestCheckReportsEveryProblem(t *testing.T) {
	c := configtest.Prod(t)
	c.Capacity.Database.MaxConnections = 500
	c.API.Replicas.Max = 6
	delete(c.Capacity.Prices, "c5.xlarge")
	_, err := Check(c)
	require.Error(t, err, "four problems at once")

	perPod := rate(t, c.Capacity, c.API.Resources.Requests.CPUMillis, c.API.Targets.CPUPercent)
	eks, ec2 := connectionsAtMaxima(c)
	reserved := c.Capacity.Database.ReservedConnections
	require.Less(t, 6*perPod, float64(c.Capacity.API.PeakRequestsPerMinute), "precondition: 6 API pods are short of the peak")
	require.Greater(t, eks+ec2, 500-reserved, "precondition: 500 connections are short of what the fleets open")
	require.Equal(t, "c5.xlarge", c.Cluster.NodePools.Workers.InstanceTypes[0], "precondition: the spot pool prefers c5.xlarge")
	require.Equal(t, "c5.xlarge", c.EC2.Worker.InstanceTypes[0], "precondition: the worker group prefers c5.xlarge")
	for _, want := range []string{
		fmt.Sprintf("openwan:api.replicas.max: 6 pods serve %.0f requests/minute", 6*perPod),
		fmt.Sprintf("openwan:capacity.database.maxConnections: 500 minus %d reserved leaves %d, below the %d connections", reserved, 500-reserved, eks+ec2),
		"openwan:capacity.prices: no price for c5.xlarge (openwan:cluster.nodePools.workers.instanceTypes[0])",
		"openwan:capacity.prices: no price for c5.xlarge (openwan:ec2.worker.instanceTypes[0])",
	} {
		assert.ErrorContains(t, err, want, "Check reports every problem, not the first")
	}
}
