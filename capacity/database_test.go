package capacity

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/config"
	"github.com/openwan/openwan-infra/config/configtest"
)

// connectionsAtMaxima is what Pulumi.prod.yaml's comment adds up: every fleet at its maximum
// times its pool size, the API and worker pods and the API and worker instances (which run the
// same processes with the same pools). Prod: (20 + 10) x 25 + (10 + 10) x 25 = 1250.
func connectionsAtMaxima(c config.Config) (eks, ec2 int) {
	eks = c.API.Replicas.Max*c.API.DBPoolSize + c.Worker.Replicas.Max*c.Worker.DBPoolSize
	ec2 = c.EC2.API.Size.Max*c.API.DBPoolSize + c.EC2.Worker.Size.Max*c.Worker.DBPoolSize
	return eks, ec2
}

func TestDatabaseBudget(t *testing.T) {
	prod := configtest.Prod(t)
	eks, ec2 := connectionsAtMaxima(prod)
	db := prod.Capacity.Database
	b := DatabaseBudget(prod)
	assert.Equal(t, eks+ec2, b.Total, "prod's fleets at their maxima open the connections Pulumi.prod.yaml counts")
	assert.Equal(t, db.MaxConnections-db.ReservedConnections, b.Available, "max_connections minus the reserve is available")
	assert.Equal(t, []string{"openwan:api", "openwan:worker", "openwan:ec2.api", "openwan:ec2.worker"}, fleetsOf(b),
		"both paths' API and worker fleets share the database")
	assert.NoError(t, b.Check(db), "prod's database takes its fleets' connections")

	// A limit that leaves one connection fewer than the fleets open.
	tight := configtest.Prod(t)
	tight.Capacity.Database.MaxConnections = eks + ec2 + db.ReservedConnections - 1
	tb := DatabaseBudget(tight)
	require.Error(t, tb.Check(tight.Capacity.Database), "one connection short must be refused")
	want := fmt.Sprintf("openwan:capacity.database.maxConnections: %d minus %d reserved leaves %d, below the %d connections the fleets open at their maxima "+
		"(openwan:api %d x %d = %d, openwan:worker %d x %d = %d, openwan:ec2.api %d x %d = %d, openwan:ec2.worker %d x %d = %d); "+
		"raise max_connections, or lower a maximum or a dbPoolSize",
		tight.Capacity.Database.MaxConnections, db.ReservedConnections, eks+ec2-1, eks+ec2,
		prod.API.Replicas.Max, prod.API.DBPoolSize, prod.API.Replicas.Max*prod.API.DBPoolSize,
		prod.Worker.Replicas.Max, prod.Worker.DBPoolSize, prod.Worker.Replicas.Max*prod.Worker.DBPoolSize,
		prod.EC2.API.Size.Max, prod.API.DBPoolSize, prod.EC2.API.Size.Max*prod.API.DBPoolSize,
		prod.EC2.Worker.Size.Max, prod.Worker.DBPoolSize, prod.EC2.Worker.Size.Max*prod.Worker.DBPoolSize)
	assert.EqualError(t, tb.Check(tight.Capacity.Database), want, "the refusal names every fleet's share and what to change")

	exact := configtest.Prod(t)
	exact.Capacity.Database.MaxConnections = eks + ec2 + db.ReservedConnections
	assert.NoError(t, DatabaseBudget(exact).Check(exact.Capacity.Database), "a limit the fleets use up exactly is enough")

	eksOnly := configtest.Prod(t)
	eksOnly.EC2.Enabled = false // the EC2 path off: its groups open no connections
	eb := DatabaseBudget(eksOnly)
	assert.Equal(t, eks, eb.Total, "without EC2 only the API and worker pods count")
	assert.Equal(t, []string{"openwan:api", "openwan:worker"}, fleetsOf(eb), "without EC2 the pods alone share the database")
}

func fleetsOf(b ConnectionBudget) []string {
	var out []string
	for _, u := range b.Users {
		out = append(out, u.Fleet)
	}
	return out
}
