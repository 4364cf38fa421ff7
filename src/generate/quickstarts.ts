/**
 * kafka-connect-datagen's quickstarts (--quickstart NAME): each a schema of schemas/datagen/ (copied unchanged, see
 * its README) and the key field datagen's Quickstart.java gives it. Names are datagen's, lower case.
 */
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

/** Where the copied schemas are. */
export const DATAGEN_DIR = path.join(PACKAGE_ROOT, 'schemas/datagen');

export const QUICKSTARTS: Readonly<Record<string, { file: string; keyField: string }>> = {
  clickstream_codes: { file: 'clickstream_codes_schema.avro', keyField: 'code' },
  clickstream: { file: 'clickstream_schema.avro', keyField: 'ip' },
  clickstream_users: { file: 'clickstream_users_schema.avro', keyField: 'user_id' },
  orders: { file: 'orders_schema.avro', keyField: 'orderid' },
  ratings: { file: 'ratings_schema.avro', keyField: 'rating_id' },
  users: { file: 'users_schema.avro', keyField: 'userid' },
  users_array_map: { file: 'users_array_map_schema.avro', keyField: 'userid' },
  pageviews: { file: 'pageviews_schema.avro', keyField: 'viewtime' },
  stock_trades: { file: 'stock_trades_schema.avro', keyField: 'symbol' },
  inventory: { file: 'inventory.avro', keyField: 'id' },
  product: { file: 'product.avro', keyField: 'id' },
  purchases: { file: 'purchase.avro', keyField: 'id' },
  transactions: { file: 'transactions.avro', keyField: 'transaction_id' },
  stores: { file: 'stores.avro', keyField: 'store_id' },
  credit_cards: { file: 'credit_cards.avro', keyField: 'card_id' },
  campaign_finance: { file: 'campaign_finance.avro', keyField: 'candidate_id' },
  fleet_mgmt_description: { file: 'fleet_mgmt_description.avro', keyField: 'vehicle_id' },
  fleet_mgmt_location: { file: 'fleet_mgmt_location.avro', keyField: 'vehicle_id' },
  fleet_mgmt_sensors: { file: 'fleet_mgmt_sensors.avro', keyField: 'vehicle_id' },
  pizza_orders: { file: 'pizza_orders.avro', keyField: 'store_id' },
  pizza_orders_completed: { file: 'pizza_orders_completed.avro', keyField: 'store_id' },
  pizza_orders_cancelled: { file: 'pizza_orders_cancelled.avro', keyField: 'store_id' },
  insurance_offers: { file: 'insurance_offers.avro', keyField: 'offer_id' },
  insurance_customers: { file: 'insurance_customers.avro', keyField: 'customer_id' },
  insurance_customer_activity: { file: 'insurance_customer_activity.avro', keyField: 'activity_id' },
  gaming_games: { file: 'gaming_games.avro', keyField: 'id' },
  gaming_players: { file: 'gaming_players.avro', keyField: 'player_id' },
  gaming_player_activity: { file: 'gaming_player_activity.avro', keyField: 'player_id' },
  payroll_employee: { file: 'payroll_employee.avro', keyField: 'employee_id' },
  payroll_employee_location: { file: 'payroll_employee_location.avro', keyField: 'employee_id' },
  payroll_bonus: { file: 'payroll_bonus.avro', keyField: 'employee_id' },
  syslog_logs: { file: 'syslog_logs.avro', keyField: 'host' },
  device_information: { file: 'device_information.avro', keyField: 'device_ip' },
  siem_logs: { file: 'siem_logs.avro', keyField: 'hostname' },
  shoes: { file: 'shoes.avro', keyField: 'id' },
  shoe_customers: { file: 'shoe_customers.avro', keyField: 'id' },
  shoe_orders: { file: 'shoe_orders.avro', keyField: 'order_id' },
  shoe_clickstream: { file: 'shoe_clickstream.avro', keyField: 'product_id' },
};

/** The schema file and key field of a quickstart, or undefined for an unknown name. */
export function quickstart(name: string): { schema: string; keyField: string } | undefined {
  const q = Object.hasOwn(QUICKSTARTS, name) ? QUICKSTARTS[name] : undefined;
  return q && { schema: path.join(DATAGEN_DIR, q.file), keyField: q.keyField };
}
