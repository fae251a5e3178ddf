package capacity

import (
	"fmt"
	"strings"

	"github.com/openwan/openwan-infra/config"
)

// PoolUser is one fleet's share of the database's connections at the fleet's maximum.
type PoolUser struct {
	// Fleet names the fleet by its config key, e.g. "openwan:api".
	Fleet string `json:"fleet"`
	// Replicas is the fleet's maximum (pods or instances).
	Replicas int `json:"replicas"`
	// PoolSize is the connections each replica's pool opens.
	PoolSize int `json:"poolSize"`
}

// Connections is Replicas x PoolSize.
func (u PoolUser) Connections() int { return u.Replicas * u.PoolSize }

// ConnectionBudget is every fleet that shares the database, at its maximum, against the
// database's limit.
type ConnectionBudget struct {
	// Users are the fleets, pods and instances alike.
	Users []PoolUser `json:"users"`
	// Total is the connections all of them open at once.
	Total int `json:"total"`
	// Available is max_connections minus the reserve.
	Available int `json:"available"`
}

// DatabaseBudget lists the fleets that share the database: the API and worker pods (EKS path)
// and the API and worker instances (EC2 path), which run the same processes with the same pool
// sizes. A group counts at its size.max, the most instances it can ever have: its own bound
// until a scheduled action fires, and no action sets more.
func DatabaseBudget(cfg config.Config) ConnectionBudget {
	var b ConnectionBudget
	if cfg.Cluster.Enabled {
		b.Users = append(b.Users,
			PoolUser{"openwan:api", cfg.API.Replicas.Max, cfg.API.DBPoolSize},
			PoolUser{"openwan:worker", cfg.Worker.Replicas.Max, cfg.Worker.DBPoolSize})
	}
	if cfg.EC2.Enabled {
		b.Users = append(b.Users,
			PoolUser{"openwan:ec2.api", cfg.EC2.API.Size.Max, cfg.API.DBPoolSize},
			PoolUser{"openwan:ec2.worker", cfg.EC2.Worker.Size.Max, cfg.Worker.DBPoolSize})
	}
	for _, u := range b.Users {
		b.Total += u.Connections()
	}
	b.Available = cfg.Capacity.Database.MaxConnections - cfg.Capacity.Database.ReservedConnections
	return b
}

// Check refuses a budget whose fleets open more connections than the database takes.
func (b ConnectionBudget) Check(db config.Database) error {
	if b.Total <= b.Available {
		return nil
	}
	parts := make([]string, len(b.Users))
	for i, u := range b.Users {
		parts[i] = fmt.Sprintf("%s %d x %d = %d", u.Fleet, u.Replicas, u.PoolSize, u.Connections())
	}
	return fmt.Errorf("openwan:capacity.database.maxConnections: %d minus %d reserved leaves %d, below the %d connections the fleets open at their maxima (%s); raise max_connections, or lower a maximum or a dbPoolSize",
		db.MaxConnections, db.ReservedConnections, b.Available, b.Total, strings.Join(parts, ", "))
}
