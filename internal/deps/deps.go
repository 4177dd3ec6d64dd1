package deps

import (
	_ "github.com/gin-gonic/gin"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/shopspring/decimal"
	_ "github.com/stripe/stripe-go/v76"
	_ "go.temporal.io/sdk/client"
	_ "go.uber.org/zap"
	_ "modernc.org/sqlite"
)
