"""Reports 报表: the manager's dashboard, 销售日报/周报/月报, deal and collection figures,
consultant performance, the conversion funnel and the home pages' figures. Read only: every
figure is computed in the database from the registers the other areas keep."""
