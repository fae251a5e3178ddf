package config

// Environments are the values of openwan:app.environment.
func Environments() []string { return []string{"production", "staging", "development"} }

// Production is the environment in which every policy rule that can be mandatory is.
const Production = "production"

// App holds what the API and the workers share. The guide's services are stateless: sessions and
// caches live in Redis, media in S3, jobs in RabbitMQ, so all of it is configuration here and
// nothing is kept on local disk.
type App struct {
	// Environment is what the stack is: "production", "staging" or "development". The policy
	// rules that are advisory elsewhere are mandatory in production; a stack is production
	// unless it says otherwise, whatever its name.
	Environment string `json:"environment"`
	// Namespace the services are deployed to.
	Namespace string `json:"namespace"`
	// SecretName is the Kubernetes Secret in Namespace holding DATABASE_URL, REDIS_PASSWORD and
	// RABBITMQ_URL. On EKS the External Secrets Operator makes it from the SSM parameters under
	// /openwan/<stack>/ (openwan:cluster.externalSecrets); elsewhere it must exist. No
	// credential is ever in stack config or state.
	SecretName string `json:"secretName"`
	// RedisAddress is host:port of Redis (sessions, cache). Required.
	RedisAddress string `json:"redisAddress"`
	// S3Bucket is the media bucket. Required.
	S3Bucket string `json:"s3Bucket"`
	// QueueName is the RabbitMQ queue the workers consume.
	QueueName string `json:"queueName"`
	// Region is the AWS region the app talks to (S3).
	Region string `json:"region"`
}
